import { describe, expect, it } from 'vitest';
import { playwrightCounts, summaryLine, vitestCounts } from '../../../build/scripts/test-summary.mjs';

const file = (name: string, status: string, tests: [string, string][]) => ({
  name,
  status,
  assertionResults: tests.map(([fullName, testStatus]) => ({ fullName, status: testStatus })),
});

describe('npm test: counting Vitest results', () => {
  it.each([
    [
      'all green',
      { numPassedTests: 2, numFailedTests: 0, numPendingTests: 0, numTodoTests: 0, testResults: [file('/r/a.test.ts', 'passed', [['a', 'passed'], ['b', 'passed']])] },
      { passed: 2, failed: 0, skipped: 0 },
      [],
    ],
    [
      'a failure, a skip and a todo',
      {
        numPassedTests: 1, numFailedTests: 1, numPendingTests: 1, numTodoTests: 1,
        testResults: [file('/r/a.test.ts', 'failed', [['x', 'passed'], ['y', 'failed'], ['z', 'skipped'], ['w', 'todo']])],
      },
      { passed: 1, failed: 1, skipped: 2 },
      ['a.test.ts › z', 'a.test.ts › w'],
    ],
    [
      'a file that does not load counts as a failure',
      { numPassedTests: 0, numFailedTests: 0, numPendingTests: 0, numTodoTests: 0, testResults: [file('/r/broken.test.ts', 'failed', [])] },
      { passed: 0, failed: 1, skipped: 0 },
      [],
    ],
  ])('%s', (_name, report, counts, skipped) => {
    const result = vitestCounts(report, '/r');
    expect(result.counts).toEqual(counts);
    expect(result.skipped).toEqual(skipped);
  });
});

describe('npm test: counting Playwright results', () => {
  it.each([
    ['passes and a flaky pass', { stats: { expected: 3, unexpected: 0, flaky: 1, skipped: 0 }, suites: [] }, { passed: 4, failed: 0, skipped: 0 }, []],
    [
      'a skip with its reason',
      {
        stats: { expected: 1, unexpected: 1, flaky: 0, skipped: 1 },
        suites: [
          {
            title: 'electron.spec.ts',
            specs: [{ title: 'the desktop app', tests: [{ status: 'skipped', annotations: [{ type: 'skip', description: 'electron binary not installed' }] }] }],
            suites: [],
          },
        ],
      },
      { passed: 1, failed: 1, skipped: 1 },
      ['electron.spec.ts › the desktop app: electron binary not installed'],
    ],
    ['no stats at all', {}, { passed: 0, failed: 0, skipped: 0 }, []],
  ])('%s', (_name, report, counts, skipped) => {
    const result = playwrightCounts(report);
    expect(result.counts).toEqual(counts);
    expect(result.skipped).toEqual(skipped);
  });

  it('prints the summary line', () => {
    expect(summaryLine({ passed: 382, failed: 0, skipped: 2 })).toBe('382 passed, 0 failed, 2 skipped');
  });
});

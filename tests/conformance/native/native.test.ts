/**
 * Differential conformance against real silicon: ~200,000 generated cases, their outcomes recorded
 * on the host CPU (tests/fixtures/native), re-checked live where gcc is available, and compared
 * with the emulator where its adapter exists.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { differences, reportAgreement, tally, type Difference } from './compare.ts';
import { FIXTURE_PATH, digestCases, readFixture, type Fixture } from './fixtures.ts';
import { DEFAULT_SEED, generateCases } from './generate.ts';
import { buildHarness, hostCpu, hostUnavailable } from './host.ts';
import type { NativeCase, NativeOutcome } from './types.ts';

const here = dirname(fileURLToPath(import.meta.url));
const ADAPTER = join(here, 'emulator-adapter.ts');
const RERECORD = 'npx tsx build/scripts/record-native-fixtures.ts';

type RunOnEmulator = (c: NativeCase) => NativeOutcome;

async function loadAdapter(): Promise<RunOnEmulator | string> {
  if (!existsSync(ADAPTER)) return 'emulator adapter not present';
  // A present adapter that fails to load is an emulator bug, not a reason to skip: let it throw.
  const mod = (await import(pathToFileURL(ADAPTER).href)) as { runOnEmulator?: unknown };
  if (typeof mod.runOnEmulator !== 'function') return 'emulator adapter not present (emulator-adapter.ts does not export runOnEmulator)';
  return mod.runOnEmulator as RunOnEmulator;
}

const adapter = await loadAdapter();
const hostReason = hostUnavailable();
if (typeof adapter === 'string') console.warn(`native conformance: emulator comparison skipped: ${adapter}`);
if (hostReason) console.warn(`native conformance: no live host run (${hostReason}); checking against the recorded fixtures alone`);

describe('host-CPU conformance (user mode, real silicon)', () => {
  let cases: NativeCase[];
  let fixture: Fixture;

  beforeAll(() => {
    cases = generateCases({ seed: DEFAULT_SEED });
    fixture = readFixture(FIXTURE_PATH, cases);
  }, 300_000);

  it('has at least 200,000 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(200_000);
  });

  it('the fixtures were recorded from exactly these cases', () => {
    const now = digestCases(cases);
    const stale = Object.keys(now.familyDigests).filter((f) => fixture.header.familyDigests[f] !== now.familyDigests[f]);
    expect(stale, `fixtures are stale for: ${stale.join(', ')} (the generator changed); re-record with ${RERECORD}`).toEqual([]);
    expect(fixture.header.digest).toBe(now.digest);
    expect(fixture.outcomes.size).toBe(cases.length);
  });

  it('faults only where a family means to raise them', () => {
    const faulting = new Map<string, Set<string>>();
    for (const c of cases) {
      const fault = fixture.outcomes.get(c.id)?.fault;
      if (!fault) continue;
      const set = faulting.get(c.family) ?? new Set<string>();
      faulting.set(c.family, set.add(fault));
    }
    // Memory operands stay inside the data page, so only intended faults appear: #DE from DIV,
    // #UD/#BP/#GP from UD2/INT3/privileged instructions, a bad LOCK, a misaligned CMPXCHG16B,
    // branches to an unmapped page, ENTER's probe of its new frame, and the faults family.
    expect(Object.fromEntries([...faulting].map(([f, s]) => [f, [...s].sort()]))).toEqual({
      'mul-div': ['#DE'],
      misc: ['#BP', '#GP', '#UD'],
      lock: ['#UD'],
      xchg: ['#GP'],
      branch: ['#PF'],
      stack: ['#AC', '#PF'],
      faults: ['#GP', '#PF', '#SS'],
    });
  });

  const liveTitle = hostReason
    ? `the host CPU still agrees with the recorded fixtures (skipped: ${hostReason}; the recorded fixtures are used alone)`
    : 'the host CPU still agrees with the recorded fixtures';
  it.skipIf(hostReason !== null)(liveTitle, () => {
    const harness = buildHarness();
    let live: NativeOutcome[];
    try {
      live = harness.run(cases);
    } finally {
      harness.dispose();
    }
    const result = tally(cases, (c, i) => differences(c, fixture.outcomes.get(c.id)!, live[i]));
    const sameSilicon = hostCpu() === fixture.header.host.cpu;
    reportAgreement(`live host run vs fixtures (recorded on ${fixture.header.host.cpu}; this host: ${hostCpu()})`, result, ['fixture', 'host']);
    if (sameSilicon) expect(result.disagreeing, 'the host disagrees with its own recording: a stale fixture or a harness bug').toBe(0);
    else console.log('this host is a different CPU model: its disagreements are reported above but do not fail the test');
  }, 300_000);

  const emulatorTitle =
    typeof adapter === 'string' ? `the emulator agrees with the host CPU on every case (skipped: ${adapter})` : 'the emulator agrees with the host CPU on every case';
  it.skipIf(typeof adapter === 'string')(
    emulatorTitle,
    () => {
      const run = adapter as RunOnEmulator;
      const started = performance.now();
      const result = tally(cases, (c): Difference[] => {
        let actual: NativeOutcome;
        try {
          actual = run(c);
        } catch (error) {
          return [{ what: 'exception', expected: 'an outcome', actual: String(error instanceof Error ? (error.stack ?? error.message) : error).split('\n').slice(0, 3).join(' | ') }];
        }
        return differences(c, fixture.outcomes.get(c.id)!, actual);
      });
      const seconds = (performance.now() - started) / 1000;
      reportAgreement(`emulator vs host CPU (${fixture.header.host.cpu}), ${cases.length} cases in ${seconds.toFixed(1)} s`, result, ['host', 'emulator']);
      expect(result.disagreeing, 'the emulator disagrees with the host CPU: see the table and the first mismatches above').toBe(0);
    },
    600_000,
  );
});

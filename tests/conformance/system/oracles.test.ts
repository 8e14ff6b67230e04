/**
 * System scenarios against the oracles' consensus. Three parts:
 *  1. the committed fixtures are complete and consistent;
 *  2. every oracle installed here still gives the answers recorded in its fixture (a sample);
 *  3. the emulator's scenario runner against the consensus on every scenario. It fails only for
 *     the categories in SUPPORTED (extended as the emulator's system architecture lands); for the
 *     others it prints the agreement counts, labelled "not yet required".
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareResults, type Difference } from './compare.ts';
import { CONSENSUS_FILE, isOracleError, readJsonl, readScenarios, resultsFile, type ConsensusEntry, type RecordedResult } from './fixtures.ts';
import { createOracle, ORACLE_NAMES } from './oracles/index.ts';
import { categoryOf, type Result, type Scenario } from './scenario-types.ts';

/** Categories the emulator must already agree on (every scenario with a consensus): all of them. */
const SUPPORTED = new Set<string>([
  'iret64', 'int64', 'surrogate', 'pf64', 'df64', 'syscall', 'swapgs', 'dtload', 'cr3',
  'prot32-iretd', 'prot32-gates', 'prot32-pushad', 'paging32', 'io', 'segcheck', 'sysenter', 'smep64', 'umip64', 'callgate', 'task32',
]);
/** Re-run this many scenarios per installed oracle (spread over all categories); Bochs starts a process per scenario. */
const ORACLE_SAMPLE: Record<string, number> = { kvm: 48, qemu: 48, bochs: 32 };

const scenarios = readScenarios();
const consensus = new Map(readJsonl<ConsensusEntry>(CONSENSUS_FILE).map((c) => [c.name, c]));
const byName = new Map(scenarios.map((s) => [s.name, s]));

function sample(n: number): Scenario[] {
  const step = Math.max(1, Math.floor(scenarios.length / n));
  return scenarios.filter((_, i) => i % step === 0).slice(0, n);
}

describe('system fixtures', () => {
  it('hold at least 3,000 scenarios, each with a consensus entry', () => {
    expect(scenarios.length).toBeGreaterThanOrEqual(3000);
    const missing = scenarios.filter((s) => !consensus.has(s.name)).map((s) => s.name);
    expect(missing).toEqual([]);
  });

  it('have a decided consensus for most scenarios, and every decision names its source', () => {
    const decided = [...consensus.values()].filter((c) => c.result);
    expect(decided.length / scenarios.length).toBeGreaterThan(0.7);
    for (const c of consensus.values()) expect(c.source).toMatch(/^(agree|only|decision|undecided)/);
  });

  it('record each oracle either as a result or as an oracle error, never both', () => {
    for (const o of ORACLE_NAMES) {
      for (const r of readJsonl<RecordedResult>(resultsFile(o))) {
        expect(byName.has(r.name), `${o}: ${r.name} is not a scenario`).toBe(true);
        expect(!!r.result !== !!r.error, `${o}: ${r.name}`).toBe(true);
      }
    }
  });
});

describe.each(ORACLE_NAMES.map((n) => [n]))('oracle %s still agrees with its fixture', (name) => {
  const oracle = createOracle(name);
  const recorded = new Map(readJsonl<RecordedResult>(resultsFile(name)).map((r) => [r.name, r]));
  let why: string | null = null;
  beforeAll(async () => { why = await oracle.available(); });
  afterAll(async () => { await oracle.close?.(); });

  it(`re-runs a sample of ${ORACLE_SAMPLE[name]}`, async (ctx) => {
    if (why) ctx.skip(`${name} not available: ${why}`);
    if (recorded.size === 0) ctx.skip(`${name} has no recorded fixture`);
    const problems: string[] = [];
    for (const s of sample(ORACLE_SAMPLE[name])) {
      const before = recorded.get(s.name);
      if (!before) continue;
      const now = await oracle.run(s);
      if (isOracleError(now) || before.error) {
        if (isOracleError(now) !== !!before.error) problems.push(`${s.name}: recorded ${before.error ?? 'a result'}, now ${isOracleError(now) ? now.error : 'a result'}`);
        continue;
      }
      const d = compareResults(before.result!, now);
      if (d.length) problems.push(`${s.name}: ${formatDiffs(d)}`);
    }
    expect(problems).toEqual([]);
  }, 120_000);
});

interface ScenarioModule {
  parseScenario(json: unknown): unknown;
  runScenario(s: unknown): unknown;
}

async function loadEmulator(): Promise<ScenarioModule | string> {
  const url = new URL('../../../emulator/scenario/index.ts', import.meta.url);
  if (!existsSync(fileURLToPath(url))) return 'emulator scenario runner not present (emulator/scenario/index.ts)';
  const mod = (await import(/* @vite-ignore */ url.href)) as Partial<ScenarioModule>;
  if (typeof mod.parseScenario !== 'function' || typeof mod.runScenario !== 'function') {
    return 'emulator scenario runner not present (emulator/scenario/index.ts exports no parseScenario/runScenario)';
  }
  return mod as ScenarioModule;
}

function formatDiffs(d: Difference[]): string {
  return d.slice(0, 4).map((x) => `${x.field} expected ${x.expected.slice(0, 40)} got ${x.actual.slice(0, 40)}`).join('; ') + (d.length > 4 ? `; … ${d.length - 4} more` : '');
}

describe('emulator against the oracle consensus', () => {
  it('agrees on every scenario of the supported categories', async (ctx) => {
    const emu = await loadEmulator();
    if (typeof emu === 'string') ctx.skip(emu);
    const mod = emu as ScenarioModule;
    const tally = new Map<string, { agree: number; differ: number; failed: number; noConsensus: number; first?: string; firstThrow?: string }>();
    for (const s of scenarios) {
      const cat = categoryOf(s.name);
      const t = tally.get(cat) ?? { agree: 0, differ: 0, failed: 0, noConsensus: 0 };
      tally.set(cat, t);
      const expected = consensus.get(s.name)?.result;
      if (!expected) { t.noConsensus++; continue; }
      let actual: Result;
      try {
        actual = mod.runScenario(mod.parseScenario(structuredClone(s))) as Result;
      } catch (e) {
        t.failed++;
        t.firstThrow ??= `${s.name}: ${(e as Error).message}`;
        continue;
      }
      const d = compareResults(expected, actual);
      if (d.length === 0) t.agree++;
      else {
        t.differ++;
        t.first ??= `${s.name}: ${actual.stop === 'error' ? `error: ${actual.error}` : formatDiffs(d)}`;
      }
    }
    const lines = [...tally].map(([cat, t]) =>
      `${SUPPORTED.has(cat) ? 'REQUIRED       ' : 'not yet required'} ${cat.padEnd(14)} agree ${String(t.agree).padStart(4)}  differ ${String(t.differ).padStart(4)}  threw ${String(t.failed).padStart(4)}  no consensus ${String(t.noConsensus).padStart(4)}${t.first ? `\n      first difference: ${t.first}` : ''}${t.firstThrow ? `\n      first throw: ${t.firstThrow}` : ''}`);
    console.log(`emulator vs consensus, per category:\n${lines.join('\n')}`);
    const total = [...tally.values()].reduce((a, t) => ({ agree: a.agree + t.agree, compared: a.compared + t.agree + t.differ + t.failed }), { agree: 0, compared: 0 });
    console.log(`emulator agrees with the consensus on ${total.agree} of ${total.compared} scenarios with a consensus`);
    const failing = [...tally].filter(([cat, t]) => SUPPORTED.has(cat) && (t.differ || t.failed));
    expect(failing.map(([cat, t]) => `${cat}: ${t.first ?? t.firstThrow}`)).toEqual([]);
  }, 600_000);
});

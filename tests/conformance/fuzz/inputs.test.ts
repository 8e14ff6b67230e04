/**
 * Every part that takes outside input, fed its seeds, the corpus of inputs that once failed
 * (tests/fixtures/fuzz/<target>/) and seeded mutants: no exception but the target's own clear
 * refusals, no input over the time limit, no runaway heap. FUZZ_INPUT_SEED replays a run,
 * FUZZ_INPUT_RUNS runs more; a failure prints the input to keep in the corpus.
 */
import { describe, expect, it } from 'vitest';
import { fuzz } from './fuzz-kit.ts';
import { TARGETS } from './targets.ts';

const SEED = Number(process.env.FUZZ_INPUT_SEED ?? 0x1f00d);
const RUNS = Number(process.env.FUZZ_INPUT_RUNS ?? 400);
const BUDGET_MS = Number(process.env.FUZZ_INPUT_BUDGET_MS ?? 12_000);
const PER_INPUT_MS = 3_000;

describe('fuzz: outside input never crashes, hangs or exhausts memory', () => {
  it.each(TARGETS.map((t) => [t.name, t] as const))('%s', async (_name, target) => {
    const report = await fuzz(target, { seed: SEED, executions: RUNS, budgetMs: BUDGET_MS, perInputMs: PER_INPUT_MS });
    expect(report.failures).toEqual([]);
    expect(report.executions).toBeGreaterThan(Math.min(RUNS, 50));
    console.log(`fuzz ${target.name}: ${report.executions} executions, ${report.refusals} refused, slowest ${Math.round(report.slowestMs)} ms (seed ${SEED})`);
  }, BUDGET_MS + 60_000);
});

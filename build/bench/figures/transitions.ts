// emulator.int_iretq_mips: a ring-0 INT n / IRETQ loop with paging on; emulator.syscall_sysret_mips:
// SYSCALL / SYSRETQ round trips from ring 3. Both in million instructions per second, the delivery
// and the return each counted as the one instruction that caused it.
import type { Figure } from '../figure.ts';
import { benchScenario, TRANSITION_LOOPS, TRANSITION_PER_ITERATION, type BenchRun } from '../bench-scenario.ts';
import { shippedEmulator } from '../shipped-emulator.ts';

const ITERATIONS = 3_000_000;

async function measure(run: BenchRun): Promise<number> {
  const { parseScenario, setUpScenario } = await shippedEmulator();
  const m = setUpScenario(parseScenario(benchScenario(run, 'hlt')));
  // The loop, then the HLT at STOP, retired in ring 0 (the fault that leads there retires nothing).
  const expected = ITERATIONS * TRANSITION_PER_ITERATION + 1;
  const t0 = performance.now();
  const result = m.run({ maxInstructions: 10 * expected });
  const seconds = (performance.now() - t0) / 1000;
  if (result.reason !== 'hlt' || result.instructions !== expected || m.getRegister(run.counter) !== 0n) {
    throw new Error(
      `${run.name}: expected HLT after ${expected} instructions, got ${result.reason} after ${result.instructions}${result.message ? `: ${result.message}` : ''}`,
    );
  }
  return result.instructions / seconds / 1e6;
}

export const figures: Figure[] = Object.entries(TRANSITION_LOOPS).map(([name, loop]) => ({
  name: `emulator.${name}_mips`,
  unit: 'M instr/s',
  runs: 5,
  warmups: 2,
  pinned: true,
  measure: () => measure(loop(ITERATIONS)),
}));

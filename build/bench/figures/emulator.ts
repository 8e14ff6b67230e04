// emulator.alu_loop_mips, emulator.sse_loop_mips, ...: the shared benchmark loops run on the emulator (ring 0, 64-bit), in million instructions per second;
// emulator.alu_loop_interpreter_mips, ...: the same loops with block execution turned off, for comparison.
// Each after two uncounted runs: the figures are the steady state, as the peers' are.
import type { Figure } from '../figure.ts';
import { benchLoops, loadLoop, type BenchLoop } from '../loops.ts';
import type { Execution } from '../../../emulator/index.ts';
import { shippedEmulator } from '../shipped-emulator.ts';

const ITERATIONS = 2_000_000;
const CR4_OSFXSR = 0x200n;

/** Runs one loop to completion on the shipped build and returns M instructions per second. */
export async function measureLoop(loop: BenchLoop, iterations = ITERATIONS, execution: Execution = 'compiled'): Promise<number> {
  const { Machine } = await shippedEmulator();
  const m = new Machine({ ramSize: 1024 * 1024, execution });
  if (loop.sse) m.setRegister('cr4', m.getRegister('cr4') | CR4_OSFXSR);
  const expected = loadLoop(m, loop, iterations);
  const t0 = performance.now();
  const result = m.run({ maxInstructions: expected + 10 });
  const seconds = (performance.now() - t0) / 1000;
  if (result.reason !== 'hlt' || result.instructions !== expected) {
    throw new Error(
      `${loop.name}: expected HLT after ${expected} instructions, got ${result.reason} after ${result.instructions}${result.message ? `: ${result.message}` : ''}`,
    );
  }
  return result.instructions / seconds / 1e6;
}

export const figures: Figure[] = [
  ...benchLoops.map((loop) => ({
    name: `emulator.${loop.name}_mips`,
    unit: 'M instr/s',
    runs: 5,
    warmups: 2,
    pinned: true,
    measure: async () => measureLoop(loop),
  })),
  ...benchLoops.map((loop) => ({
    name: `emulator.${loop.name}_interpreter_mips`,
    unit: 'M instr/s',
    runs: 5,
    warmups: 2,
    pinned: true,
    measure: async () => measureLoop(loop, ITERATIONS, 'interpreter'),
  })),
];

/**
 * Run in a process of its own by the memory figures: 100 million instructions of the shared ALU
 * loop, plainly or recorded for time travel, then one line of JSON with the peak resident size.
 * `node peak-run.mjs plain|recorded`.
 */
import { Machine } from '../../emulator/index.ts';
import { Recorder } from '../../emulator/debug/recorder.ts';
import { benchLoops, loadLoop } from './loops.ts';

const INSTRUCTIONS = 100_000_000;

const mode = process.argv[2];
if (mode !== 'plain' && mode !== 'recorded') throw new Error(`peak-run: expected 'plain' or 'recorded', got ${String(mode)}`);
const loop = benchLoops.find((l) => l.name === 'alu_loop')!;
const iterations = Math.ceil(INSTRUCTIONS / loop.perIteration);

const m = new Machine({ ramSize: 1024 * 1024 });
const expected = loadLoop(m, loop, iterations);

let reached: number;
if (mode === 'recorded') {
  const rec = new Recorder(m);
  const r = rec.advance(expected + 10);
  if (r.stop !== 'hlt') throw new Error(`recorded run stopped: ${r.stop}`);
  reached = rec.position;
} else {
  const r = m.run({ maxInstructions: expected + 10 });
  if (r.reason !== 'hlt') throw new Error(`plain run stopped: ${r.reason}`);
  reached = r.instructions;
}
if (reached !== expected) throw new Error(`expected ${expected} instructions, ran ${reached}`);
process.stdout.write(`${JSON.stringify({ instructions: reached, peakMb: process.resourceUsage().maxRSS / 1024 })}\n`);

/**
 * Run in a process of its own by the memory figures: 100 million instructions of the shared ALU
 * loop, plainly or recorded for time travel, then one line of JSON with the peak resident size.
 * `node peak-run.mjs plain|recorded`.
 */
import { Machine } from '../../emulator/index.ts';
import { Recorder } from '../../emulator/debug/recorder.ts';
import { benchLoops } from './loops.ts';

const INSTRUCTIONS = 100_000_000;
const CODE = 0x10000;
const SCRATCH = 0x20000;
const STACK_TOP = 0x80000;
const HALT = 0x30000;

const mode = process.argv[2];
if (mode !== 'plain' && mode !== 'recorded') throw new Error(`peak-run: expected 'plain' or 'recorded', got ${String(mode)}`);
const loop = benchLoops.find((l) => l.name === 'alu_loop')!;
const iterations = Math.ceil(INSTRUCTIONS / loop.perIteration);
const expected = iterations * loop.perIteration + loop.fixed + 1;

const m = new Machine({ ramSize: 1024 * 1024 });
m.load(CODE, loop.code);
m.load(HALT, Uint8Array.of(0xf4));
m.load(STACK_TOP - 8, new Uint8Array(new BigUint64Array([BigInt(HALT)]).buffer));
m.setRegister('rsp', BigInt(STACK_TOP - 8));
m.setRegister('rdi', BigInt(SCRATCH));
m.setRegister('rdx', BigInt(iterations));
m.setRegister('rip', BigInt(CODE));

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

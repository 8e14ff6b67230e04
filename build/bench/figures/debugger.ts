// debugger.record_overhead_ratio: the shared ALU loop with time-travel recording / without.
// debugger.step_back_ms: the slowest single step back found over a 1,000,000-instruction recorded run.
import type { Figure } from '../figure.ts';
import { benchLoops, loadLoop } from '../loops.ts';
import { Machine } from '../../../emulator/index.ts';
import { Recorder } from '../../../emulator/debug/recorder.ts';

const loop = benchLoops.find((l) => l.name === 'alu_loop')!;

function machineFor(iterations: number): Machine {
  const m = new Machine({ ramSize: 1024 * 1024 });
  loadLoop(m, loop, iterations);
  return m;
}

const expected = (iterations: number) => iterations * loop.perIteration + loop.fixed + 1;

function timePlain(iterations: number): number {
  const m = machineFor(iterations);
  const t0 = performance.now();
  const r = m.run({ maxInstructions: expected(iterations) + 10 });
  const ms = performance.now() - t0;
  if (r.reason !== 'hlt') throw new Error(`plain run: ${r.reason}`);
  return ms;
}

function timeRecorded(iterations: number): number {
  const m = machineFor(iterations);
  const rec = new Recorder(m);
  const t0 = performance.now();
  const r = rec.advance(expected(iterations) + 10);
  const ms = performance.now() - t0;
  if (r.stop !== 'hlt' || rec.position !== expected(iterations)) throw new Error(`recorded run: ${r.stop} at ${rec.position}`);
  return ms;
}

const RATIO_ITERATIONS = 500_000;
const RUN_INSTRUCTIONS = 1_000_000;

export const figures: Figure[] = [
  {
    name: 'debugger.record_overhead_ratio',
    unit: 'x',
    runs: 5,
    warmups: 2,
    pinned: true,
    measure: async () => {
      // Interleaved, and the best of three of each, so that other processes on a shared machine
      // slow neither side more than the other.
      let plain = Infinity;
      let recorded = Infinity;
      for (let i = 0; i < 3; i++) {
        plain = Math.min(plain, timePlain(RATIO_ITERATIONS));
        recorded = Math.min(recorded, timeRecorded(RATIO_ITERATIONS));
      }
      return recorded / plain;
    },
  },
  {
    name: 'debugger.step_back_ms',
    unit: 'ms',
    runs: 3,
    pinned: true,
    measure: async () => {
      const iterations = Math.ceil(RUN_INSTRUCTIONS / loop.perIteration);
      const m = machineFor(iterations);
      const rec = new Recorder(m);
      if (rec.advance(expected(iterations) + 10).stop !== 'hlt') throw new Error('recording did not reach HLT');
      const end = rec.position;
      // The worst case is a target just below the next checkpoint: the longest replay. Sample those, and others.
      const targets: number[] = [end];
      for (let c = rec.start; c < end; c += rec.interval) targets.push(Math.min(end, c + rec.interval));
      // Each target's cost is the median of a few repetitions, so that a pause of the shared machine
      // (another process, a garbage collection) is not mistaken for the cost of the position.
      let worst = 0;
      for (let i = 0; i < targets.length; i += Math.max(1, Math.floor(targets.length / 100))) {
        const p = targets[i];
        if (p <= rec.start) continue;
        const samples: number[] = [];
        for (let r = 0; r < 5; r++) {
          rec.goto(p);
          const t0 = performance.now();
          rec.goto(p - 1);
          samples.push(performance.now() - t0);
        }
        samples.sort((a, b) => a - b);
        worst = Math.max(worst, samples[2]);
      }
      return worst;
    },
  },
];

// peer.qemu.<loop>_mips, peer.bochs.<loop>_mips: the emulator's speed figures' loops, the same bytes
// from the same machine state (build/bench/bench-scenario.ts), run by Debian's QEMU (TCG) and Bochs
// in million instructions per second. `npm run bench` divides the emulator's figures by these
// (emulator.<loop>_vs_<peer>), so every ratio comes from one run on one machine.
//
// A peer is timed from the guest's start to its process's exit, which the triple fault at the end
// of the loop causes; the difference between a run of 2N iterations and one of N cancels what a
// run costs besides the loop (the end, the exit). N is chosen so that N iterations take about a second.
import type { Figure } from '../figure.ts';
import { benchLoops } from '../loops.ts';
import { benchScenario, loopRun, STOP, TRANSITION_LOOPS, TRANSITION_PER_ITERATION, type BenchRun } from '../bench-scenario.ts';
import { BochsOracle } from '../../../tests/conformance/system/oracles/bochs.ts';
import { QemuOracle } from '../../../tests/conformance/system/oracles/qemu.ts';
import type { OracleError, Result, Scenario } from '../../../tests/conformance/system/scenario-types.ts';

interface Peer {
  name: 'qemu' | 'bochs';
  available(): Promise<string | null>;
  run(s: Scenario): Promise<Result | OracleError>;
  timeToShutdown(s: Scenario, timeoutMs: number): Promise<number | OracleError>;
}

interface PeerLoop {
  name: string;
  run(iterations: number): BenchRun;
  perIteration: number;
}

const TARGET_SECONDS = 1;
const START_ITERATIONS = 200_000;
const TIMEOUT_MS = 60_000;

const loops: PeerLoop[] = [
  ...benchLoops.map((loop) => ({ name: loop.name, run: (n: number) => loopRun(loop, n), perIteration: loop.perIteration })),
  ...Object.entries(TRANSITION_LOOPS).map(([name, run]) => ({ name, run, perIteration: TRANSITION_PER_ITERATION })),
];

const peers: Peer[] = [new QemuOracle(), new BochsOracle()];

const unavailable = new Map<Peer, Promise<string | null>>();
const iterationsFor = new Map<string, number>();

async function seconds(peer: Peer, loop: PeerLoop, iterations: number): Promise<number> {
  const result = await peer.timeToShutdown(benchScenario(loop.run(iterations), 'triple-fault'), TIMEOUT_MS);
  if (typeof result !== 'number') throw new Error(`peer.${peer.name}.${loop.name}: ${result.error}`);
  return result;
}

/** The peer runs the loop to its end (the counter at zero, stopped at STOP's HLT), so its timings are of the loop. */
async function check(peer: Peer, loop: PeerLoop): Promise<void> {
  const run = loop.run(1000);
  const result = await peer.run(benchScenario(run, 'hlt'));
  if ('error' in result && !('format' in result)) throw new Error(`peer.${peer.name}.${loop.name}: ${result.error}`);
  const r = result as Result;
  const rip = r.cpu ? BigInt(r.cpu.regs.rip) : -1n;
  const counter = r.cpu ? BigInt(r.cpu.regs[run.counter]) : -1n;
  if (r.stop !== 'hlt' || rip !== BigInt(STOP + 1) || counter !== 0n) {
    throw new Error(
      `peer.${peer.name}.${loop.name}: the loop did not run to its end (stop ${r.stop}, rip 0x${rip.toString(16)}, ${run.counter} 0x${counter.toString(16)})`,
    );
  }
}

/** N for this peer and loop: grown from START_ITERATIONS until N iterations take about TARGET_SECONDS. */
async function calibrated(peer: Peer, loop: PeerLoop): Promise<number> {
  const key = `${peer.name}/${loop.name}`;
  let n = iterationsFor.get(key);
  if (n !== undefined) return n;
  await check(peer, loop);
  n = START_ITERATIONS;
  for (;;) {
    const t = await seconds(peer, loop, n);
    if (t >= TARGET_SECONDS / 4) {
      n = Math.ceil((n * TARGET_SECONDS) / t);
      break;
    }
    n *= 8;
  }
  iterationsFor.set(key, n);
  return n;
}

async function measure(peer: Peer, loop: PeerLoop): Promise<number | null> {
  if (!unavailable.has(peer)) unavailable.set(peer, peer.available());
  const reason = await unavailable.get(peer);
  if (reason) {
    process.stderr.write(`peer.${peer.name}.${loop.name}_mips: not measured: ${reason}\n`);
    return null;
  }
  const n = await calibrated(peer, loop);
  const once = await seconds(peer, loop, n);
  const twice = await seconds(peer, loop, 2 * n);
  if (twice <= once) throw new Error(`peer.${peer.name}.${loop.name}: ${2 * n} iterations took no longer than ${n} (${twice} s, ${once} s)`);
  return (n * loop.perIteration) / (twice - once) / 1e6;
}

export const figures: Figure[] = peers.flatMap((peer) =>
  loops.map((loop) => ({
    name: `peer.${peer.name}.${loop.name}_mips`,
    unit: 'M instr/s',
    runs: 3,
    pinned: true,
    measure: () => measure(peer, loop),
  })),
);

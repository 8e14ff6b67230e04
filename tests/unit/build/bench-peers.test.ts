// The speed figures' shared machine (build/bench/bench-scenario.ts): every loop runs to its end on the
// emulator, and on QEMU and Bochs where they are installed, and the peers' timed runs end where the
// figures expect; the ratios `npm run bench` derives from the figures.
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../../emulator/index.ts';
import { setUpScenario } from '../../../emulator/scenario/run.ts';
import { benchScenario, loopRun, STOP, TRANSITION_LOOPS, TRANSITION_PER_ITERATION, type BenchRun } from '../../../build/bench/bench-scenario.ts';
import { benchLoops } from '../../../build/bench/loops.ts';
import { ratiosToPeers } from '../../../build/bench/peer-ratios.ts';
import { BochsOracle } from '../../conformance/system/oracles/bochs.ts';
import { QemuOracle } from '../../conformance/system/oracles/qemu.ts';
import type { Result } from '../../conformance/system/scenario-types.ts';

interface Case {
  name: string;
  run: (n: number) => BenchRun;
  /** Instructions retired for n iterations, the HLT at STOP included. */
  retired: (n: number) => number;
}

const cases: Case[] = [
  ...benchLoops.map((loop) => ({
    name: loop.name,
    run: (n: number) => loopRun(loop, n),
    retired: (n: number) => n * loop.perIteration + loop.fixed + 1,
  })),
  { name: 'int_iretq', run: TRANSITION_LOOPS.int_iretq, retired: (n) => n * TRANSITION_PER_ITERATION + 1 },
  { name: 'syscall_sysret', run: TRANSITION_LOOPS.syscall_sysret, retired: (n) => n * TRANSITION_PER_ITERATION + 1 },
];

describe('the bench machine on the emulator', () => {
  it.each(cases.flatMap((c) => [1, 7, 1000].map((n) => [c.name, n, c] as const)))('%s, %i iterations, ends at STOP', (_name, n, c) => {
    const run = c.run(n);
    const m = setUpScenario(parseScenario(benchScenario(run, 'hlt')));
    const result = m.run({ maxInstructions: 10 * c.retired(n) + 100 });
    expect(result.reason).toBe('hlt');
    expect(result.instructions).toBe(c.retired(n));
    expect(m.getRegister('rip')).toBe(BigInt(STOP + 1));
    expect(m.getRegister(run.counter)).toBe(0n);
    expect(m.getRegister('cs')).toBe(8n);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s with the peers’ ending triple-faults after the loop', (_name, c) => {
    const run = c.run(5);
    const m = setUpScenario(parseScenario(benchScenario(run, 'triple-fault')));
    const result = m.run({ maxInstructions: 10_000 });
    expect(result.reason).toBe('triple-fault');
    expect(m.getRegister(run.counter)).toBe(0n);
  });
});

describe('the peers run the same machine', () => {
  for (const peer of [new QemuOracle(), new BochsOracle()]) {
    describe(peer.name, () => {
      let reason: string | null = null;
      const ready = peer.available().then((r) => (reason = r));

      it.for<[string, Case]>(cases.map((c) => [c.name, c]))('%s runs to its end', { timeout: 30_000 }, async ([, c], ctx) => {
        await ready;
        if (reason) ctx.skip(`${peer.name} is not available here: ${reason}`);
        const run = c.run(100);
        const result = (await peer.run(benchScenario(run, 'hlt'))) as Result;
        expect(result.stop).toBe('hlt');
        expect(BigInt(result.cpu!.regs.rip)).toBe(BigInt(STOP + 1));
        expect(BigInt(result.cpu!.regs[run.counter])).toBe(0n);
      });

      it('times a run to its shutdown, and only a run that shuts down', async (ctx) => {
        await ready;
        if (reason) ctx.skip(`${peer.name} is not available here: ${reason}`);
        const loop = cases.find((c) => c.name === 'int_iretq')!;
        const seconds = await peer.timeToShutdown(benchScenario(loop.run(1000), 'triple-fault'), 20_000);
        expect(typeof seconds).toBe('number');
        expect(seconds as number).toBeGreaterThan(0);
        const halted = await peer.timeToShutdown(benchScenario(loop.run(1000), 'hlt'), 1000);
        expect(halted).toMatchObject({ error: expect.stringMatching(/no shutdown within|instead of ending Bochs|still running|no debugger prompt/) });
      }, 60_000);
    });
  }
});

describe('ratiosToPeers', () => {
  const m = (value: number) => ({ value, unit: 'M instr/s' });
  it.each([
    ['compiled and interpreter over each peer', { 'emulator.alu_loop_mips': m(600), 'emulator.alu_loop_interpreter_mips': m(60), 'peer.bochs.alu_loop_mips': m(120), 'peer.qemu.alu_loop_mips': m(3000) }, { 'emulator.alu_loop_vs_bochs': 5, 'emulator.alu_loop_interpreter_vs_bochs': 0.5, 'emulator.alu_loop_vs_qemu': 0.2, 'emulator.alu_loop_interpreter_vs_qemu': 0.02 }],
    ['a transition figure', { 'emulator.int_iretq_mips': m(45), 'peer.qemu.int_iretq_mips': m(20) }, { 'emulator.int_iretq_vs_qemu': 2.25 }],
    ['no emulator figure for the loop', { 'peer.qemu.mem_loop_mips': m(2000), 'emulator.alu_loop_mips': m(600) }, {}],
    ['no peer figure', { 'emulator.alu_loop_mips': m(600), 'native.alu_loop_mips': m(3000) }, {}],
  ])('%s', (_name, results, expected) => {
    const ratios = ratiosToPeers(results);
    expect(Object.fromEntries(Object.entries(ratios).map(([k, v]) => [k, v.value]))).toEqual(expected);
    for (const r of Object.values(ratios)) expect(r.unit).toBe('x');
  });
});

import { describe, expect, it } from 'vitest';
import type { Machine } from '../../../emulator/index.ts';
import { CODE, handlerAt, le, longMachine, qword } from './long-machine.ts';

/**
 * Ring 3: INT 0x80 in a loop (the handler counts in RBX and returns with IRETQ), then HLT (#GP,
 * whose handler halts). INT n is delivered inside the run loop unless an observer watches events;
 * either way every budget, step and breakpoint must land on the same instruction boundary.
 */
const loop = (rflags = '0x2') =>
  longMachine({
    code: '48c7c103000000 cd80 48ffc9 75f9 f4',
    cpl: 3,
    rflags,
    dpl: { 0x80: 3 },
    handlers: { 0x80: '48ffc3 48cf' },
  });

const state = (m: Machine) => ({
  rip: m.getRegister('rip'),
  rsp: m.getRegister('rsp'),
  rbx: m.getRegister('rbx'),
  rcx: m.getRegister('rcx'),
  rflags: m.getRegister('rflags'),
  cpl: m.cpu.cpl,
  retired: m.cpu.instructions,
});

function observed(m: Machine): Machine {
  m.exceptionObserver = { raised: () => {}, handled: () => {} };
  return m;
}

describe('software interrupts delivered inside the run loop stay precise to the instruction', () => {
  const budgets = Array.from({ length: 24 }, (_, k) => k);


  it.each(budgets)('a budget of %i stops on the same boundary as when the run loop delivers (an observer watching)', (k) => {
    const run = loop();
    const r = run.run({ maxInstructions: k });
    const watched = observed(loop());
    const w = watched.run({ maxInstructions: k });
    expect(state(run)).toEqual(state(watched));
    expect([r.reason, r.instructions]).toEqual([w.reason, w.instructions]);
  });

  it('runs resumed in slices of any size end where one run does', () => {
    const whole = loop();
    whole.run({ maxInstructions: 1000 });
    for (const slice of [1, 2, 3, 5]) {
      const m = loop();
      let last = 'limit';
      for (let i = 0; i < 1000 && last === 'limit'; i++) last = m.run({ maxInstructions: slice }).reason;
      expect(last).toBe('hlt');
      expect(state(m)).toEqual(state(whole));
    }
  });

  it('a breakpoint on the handler stops before its first instruction on every pass', () => {
    for (const m of [loop(), observed(loop())]) {
      const passes: bigint[] = [];
      for (let i = 0; i < 3; i++) {
        const r = m.run({ maxInstructions: 100, breakpoints: [handlerAt(0x80)] });
        expect(r.reason).toBe('breakpoint');
        expect(m.getRegister('rip')).toBe(BigInt(handlerAt(0x80)));
        passes.push(m.getRegister('rbx'));
      }
      expect(passes).toEqual([0n, 1n, 2n]);
      expect(m.run({ maxInstructions: 100 }).reason).toBe('hlt');
      expect(m.getRegister('rbx')).toBe(3n);
      expect(m.getRegister('rip')).toBe(BigInt(handlerAt(13) + 1));
    }
  });

  it.each([1, 2, 3, 4, 5, 6, 7])('a timer every %i instructions interrupts ring 3 at the same boundary as when the run loop delivers', (every) => {
    const results = [loop('0x202'), observed(loop('0x202'))].map((m) => {
      m.addTimer({ vector: 0x40, every });
      const r = m.run({ maxInstructions: 100 });
      // The interrupted RIP, at the top of the frame the delivery pushed.
      return { ...state(m), reason: r.reason, interrupted: qword(m, Number(m.getRegister('rsp'))) };
    });
    expect(results[0]).toEqual(results[1]);
    // Vector 0x40's handler is a HLT in ring 0, entered from ring 3 (the INT 0x80 gate masks IF in its handler).
    expect(results[0]).toMatchObject({ reason: 'hlt', rip: BigInt(handlerAt(0x40) + 1), cpl: 0 });
    expect(results[0].interrupted).toBeGreaterThan(BigInt(CODE));
    expect(results[0].interrupted).toBeLessThan(BigInt(CODE + 0x20));
  });

  it('an interrupt pending behind STI is taken before the first instruction of a trap-gate handler entered by INT n', () => {
    // Ring 0: STI; INT 0x80 through a trap gate (IF stays set); the handler would count in RBX.
    const trapGate = le(BigInt(handlerAt(0x80) & 0xffff), 2) + '0800' + '008f' + le(BigInt(handlerAt(0x80) >>> 16), 2) + '0000000000000000';
    const results = [false, true].map((watch) => {
      const m = longMachine({ code: 'fb cd80 f4', handlers: { 0x80: '48ffc3 48cf' }, memory: { [0x3000 + 0x80 * 16]: trapGate } });
      if (watch) observed(m);
      m.raiseInterrupt(0x40);
      const r = m.run({ maxInstructions: 100 });
      return { ...state(m), reason: r.reason };
    });
    expect(results[0]).toEqual(results[1]);
    expect(results[0]).toMatchObject({ reason: 'hlt', rip: BigInt(handlerAt(0x40) + 1), rbx: 0n });
  });
});

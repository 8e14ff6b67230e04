import { describe, expect, it } from 'vitest';
import { Machine, type ExceptionObserver } from '../../../emulator/index.ts';
import type { CpuFault } from '../../../emulator/arch/faults.ts';
import { CODE, LOG, handlerAt, longMachine, qword, qwords } from './long-machine.ts';
import { bytes } from './helpers.ts';

/** Appends the saved RIP to the list at RBX (through R15), then IRETQ. */
const RECORD_RIP = '4c8b3c244c893b4883c30848cf';
/** inc qword [LOG]; iretq */
const COUNT = '48ff04250000040048cf';
/** inc qword [LOG]; cmp qword [LOG], 5; jne +2; cli; hlt; iretq */
const COUNT_TO_5 = '48ff04250000040048833c2500000400057502faf448cf';
const TIMER = 0x20;

const recorded = (m: Machine): bigint[] => qwords(m, LOG, (Number(m.getRegister('rbx')) - LOG) / 8);

function observe(m: Machine): CpuFault[] {
  const seen: CpuFault[] = [];
  const observer: ExceptionObserver = { raised: () => {}, handled: (f, outcome) => outcome === 'delivered' && seen.push(f) };
  m.exceptionObserver = observer;
  return seen;
}

interface ShadowCase {
  name: string;
  code: string;
  rflags: string;
  /** The interrupt is raised just before the instruction with this index runs (so at the earliest it is taken after it). */
  raiseAt: number;
  /** Saved RIP of the delivered interrupt, relative to CODE. */
  at: number;
}

const shadows: ShadowCase[] = [
  { name: 'IF = 0 holds it until STI, and STI holds it one more instruction', code: 'fb 90 f4 f4', rflags: '0x2', raiseAt: 0, at: 2 },
  { name: 'STI; HLT: the interrupt wakes the HLT and returns after it', code: 'fb f4 f4', rflags: '0x2', raiseAt: 0, at: 2 },
  { name: 'with IF = 1 it is taken at the next boundary', code: '90 90 90 f4', rflags: '0x202', raiseAt: 1, at: 2 },
  { name: 'MOV SS holds it back over the next instruction', code: '668cd0 8ed0 90 f4 f4', rflags: '0x202', raiseAt: 1, at: 6 },
  { name: 'STI with IF already set makes no shadow', code: 'fb 90 f4 f4', rflags: '0x202', raiseAt: 0, at: 1 },
];

describe('external interrupts', () => {
  it.each(shadows)('$name', (c) => {
    const m = longMachine({ code: c.code, rflags: c.rflags, regs: { rbx: `0x${LOG.toString(16)}` }, handlers: { [TIMER]: RECORD_RIP } });
    m.beforeInstruction = (machine) => {
      if (machine.cpu.instructions === c.raiseAt) machine.raiseInterrupt(TIMER);
    };
    const r = m.run({ maxInstructions: 100 });
    expect(r.reason).toBe('hlt');
    expect(recorded(m)).toEqual([BigInt(CODE + c.at)]);
  });

  it('HLT with IF = 1 and nothing pending stops the run', () => {
    const m = longMachine({ code: 'fb f4', rflags: '0x2' });
    expect(m.run({ maxInstructions: 10 })).toEqual({ reason: 'hlt', instructions: 2 });
  });

  it('a vector raised twice before delivery is delivered once; the observer sees each delivery', () => {
    const m = longMachine({ code: 'fb 90 90 f4', regs: { rbx: `0x${LOG.toString(16)}` }, handlers: { [TIMER]: RECORD_RIP, [TIMER + 1]: RECORD_RIP } });
    const seen = observe(m);
    m.raiseInterrupt(TIMER);
    m.raiseInterrupt(TIMER + 1);
    m.raiseInterrupt(TIMER);
    expect(m.pendingInterrupts).toEqual({ vectors: [TIMER, TIMER + 1], nmi: false });
    expect(m.run({ maxInstructions: 100 }).reason).toBe('hlt');
    expect(recorded(m)).toEqual([BigInt(CODE + 2), BigInt(CODE + 2)]);
    expect(seen.map((f) => [f.vector, f.origin])).toEqual([[TIMER, 'interrupt'], [TIMER + 1, 'interrupt']]);
    expect(m.pendingInterrupts.vectors).toEqual([]);
  });

  it('a timer interrupts a loop every N retired instructions', () => {
    const m = longMachine({ code: 'ebfe', rflags: '0x202', handlers: { [TIMER]: COUNT } });
    const seen = observe(m);
    m.addTimer({ vector: TIMER, every: 10 });
    const r = m.run({ maxInstructions: 1100 });
    expect(r.reason).toBe('limit');
    // Each period: 10 instructions (the handler's two included) and one delivery step; the budget ends on the 100th delivery.
    expect(seen).toHaveLength(100);
    expect(qword(m, LOG)).toBe(99n);
    expect(r.instructions).toBe(1000);
  });

  it.each<[string, 0 | 3, string, Record<number, string>]>([
    ['a timer in ring 0', 0, '0x202', {}],
    ['a timer interrupting ring 3', 3, '0x202', {}],
    ['a timer and single-step traps', 3, '0x302', { 1: '48cf' }],
  ])('stepping one instruction at a time reaches the same state as one run (%s)', (_name, cpl, rflags, extra) => {
    const make = (): Machine => {
      const m = longMachine({ code: '4883c3014883fb7875f60f0b', cpl, rflags, handlers: { [TIMER]: COUNT, ...extra } });
      m.addTimer({ vector: TIMER, every: 7 });
      return m;
    };
    const whole = make();
    const once = whole.run({ maxInstructions: 10_000 });
    const stepped = make();
    let r = stepped.step();
    let calls = 1;
    while (r.reason === 'limit') {
      r = stepped.step();
      calls++;
    }
    expect(r.reason).toBe(once.reason);
    expect(stepped.cpu.instructions).toBe(whole.cpu.instructions);
    for (const reg of ['rip', 'rbx', 'rsp', 'rflags', 'cs']) expect(stepped.getRegister(reg)).toBe(whole.getRegister(reg));
    expect(qword(stepped, LOG)).toBe(qword(whole, LOG));
    expect(qword(whole, LOG)).toBeGreaterThan(20n);
    expect(calls).toBeGreaterThan(stepped.cpu.instructions);
  });

  it('STI; HLT waits for the timer: the run goes on until a handler halts with IF = 0', () => {
    const m = longMachine({ code: 'fb f4 ebfc', handlers: { [TIMER]: COUNT_TO_5 } });
    m.addTimer({ vector: TIMER, every: 50 });
    const r = m.run({ maxInstructions: 1000 });
    expect(r.reason).toBe('hlt');
    expect(qword(m, LOG)).toBe(5n);
    expect(m.getRegister('rip')).toBe(BigInt(handlerAt(TIMER) + 0x15));
  });

  it('without IDT delivery a pending interrupt stops the run and names itself', () => {
    const m = new Machine({ ramSize: 0x100000 });
    m.load(0x1000, bytes('90 90'));
    m.setRegister('rip', 0x1000n);
    m.setRegister('rflags', 0x202n);
    m.raiseInterrupt(0x30);
    const r = m.run({ maxInstructions: 10 });
    expect(r.reason).toBe('fault');
    expect(r.fault).toMatchObject({ vector: 0x30, rip: 0x1000n });
    expect(r.message).toMatch(/external interrupt 0x30/);
  });

  it.each([
    [() => new Machine().raiseInterrupt(256), /0\.\.255, got 256/],
    [() => new Machine().raiseInterrupt(1.5), /0\.\.255, got 1.5/],
    [() => new Machine().addTimer({ vector: 0x20, every: 0 }), /'every' must be a positive integer.*got 0/],
    [() => new Machine().addTimer({ vector: 0x20, every: 5, start: -1 }), /'start'.*got -1/],
  ])('bad arguments are refused with the value (%#)', (call, message) => {
    expect(call).toThrow(message);
  });
});

describe('NMI', () => {
  it('is delivered with IF = 0, then blocked until the handler IRETs', () => {
    const m = longMachine({ code: '90 90 f4', handlers: { 2: '90 90 48cf' } });
    const seen = observe(m);
    const rip = (): number => Number(m.getRegister('rip'));
    m.raiseNmi();
    expect(m.pendingInterrupts.nmi).toBe(true);
    m.step();
    expect(rip()).toBe(handlerAt(2));
    m.raiseNmi();
    const trail: number[] = [];
    for (let i = 0; i < 4; i++) {
      m.step();
      trail.push(rip());
    }
    // nop, nop, iretq (back to CODE), then the second NMI.
    expect(trail).toEqual([handlerAt(2) + 1, handlerAt(2) + 2, CODE, handlerAt(2)]);
    expect(seen.map((f) => f.origin)).toEqual(['nmi', 'nmi']);
  });

  it('is held back by a MOV SS shadow', () => {
    const m = longMachine({ code: '668cd0 8ed0 90 f4', regs: { rbx: `0x${LOG.toString(16)}` }, handlers: { 2: RECORD_RIP } });
    m.step();
    m.step();
    m.raiseNmi();
    expect(m.run({ maxInstructions: 20 }).reason).toBe('hlt');
    expect(recorded(m)).toEqual([BigInt(CODE + 6)]);
  });
});

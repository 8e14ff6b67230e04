import { afterEach, describe, expect, it } from 'vitest';
import { assemble } from '../../../emulator/asm/index.ts';
import { captureCpu, diffCpuStates, toJson } from '../../../emulator/debug/cpu-state.ts';
import { concatBytes, descriptorBytes, gate64, toHex } from '../../../emulator/layout/index.ts';
import type { Machine, RunResult } from '../../../emulator/index.ts';
import { fastTransitions } from '../../../emulator/ops/fast-transitions.ts';
import { CODE, TSS_BASE, handlerAt, longMachine, type LongMachine } from './long-machine.ts';

// INT n and IRETQ have a fast path for the common case (same privilege, 64-bit gate from the table
// cache, frame in the TLB); every case must leave exactly the state the general path leaves.

const IDT = 0x3000;
const GDT = 0x2000;

const asm = (source: string, base: number): string => {
  const r = assemble(`    .text\n${source}\n`, { bits: 64, sectionBases: { '.text': base } });
  if (!r.ok) throw new Error(r.diagnostics.map((d) => `${d.line}:${d.column} ${d.message}`).join('\n'));
  return toHex(r.sections.find((s) => s.name === '.text')!.bytes);
};

const gateHex = (vector: number, o: { kind?: 'interrupt' | 'trap'; dpl?: 0 | 3; ist?: number; present?: boolean; offset?: number } = {}): Record<number, string> => ({
  [IDT + vector * 16]: toHex(concatBytes(descriptorBytes(gate64({ offset: o.offset ?? handlerAt(vector), selector: 0x08, kind: o.kind, dpl: o.dpl ?? 0, ist: o.ist ?? 0, present: o.present ?? true })))),
});

interface Case extends Omit<LongMachine, 'code' | 'handlers'> {
  code: string;
  handlers?: Record<number, string>;
  maxInstructions?: number;
  /** Runs with a write observer set (the recorder's journal), comparing what it saw. */
  journal?: boolean;
  timer?: { vector: number; every: number };
  /** Sets CR0.AM, so that RFLAGS.AC turns alignment checking on at CPL 3. */
  alignmentMask?: boolean;
  /** Whether the fast path must have been used (its memo filled). */
  fast?: { gate?: number; ret?: boolean };
}

function build(c: Case): { machine: Machine; writes: string[] } {
  const handlers: Record<number, string> = {};
  for (const [v, src] of Object.entries(c.handlers ?? {})) handlers[Number(v)] = asm(src, handlerAt(Number(v)));
  const machine = longMachine({ ...c, code: asm(c.code, CODE), handlers });
  const writes: string[] = [];
  if (c.journal) machine.cpu.mem.writeObserver = (p, n) => void writes.push(`${p}:${n}`);
  if (c.timer) machine.addTimer(c.timer);
  if (c.alignmentMask) machine.setRegister('cr0', machine.getRegister('cr0') | (1n << 18n));
  return { machine, writes };
}

interface Outcome {
  results: RunResult[];
  cpu: ReturnType<typeof captureCpu>;
  memory: string;
  writes: string[];
  gateMemo: number[];
  retMemo: number;
}

function outcome(machine: Machine, results: RunResult[], writes: string[], withMemory: boolean): Outcome {
  return {
    results,
    cpu: captureCpu(machine.cpu),
    memory: withMemory ? toHex(machine.read(0, 0x50000)) : '',
    writes,
    gateMemo: machine.cpu.transitions.gates.map((g) => g.generation),
    retMemo: machine.cpu.transitions.ret.generation,
  };
}

function expectSame(fast: Outcome, general: Outcome): void {
  expect(diffCpuStates(fast.cpu, general.cpu).map((k) => [k, toJson(fast.cpu[k]), toJson(general.cpu[k])])).toEqual([]);
  expect(fast.results).toEqual(general.results);
  expect(fast.memory === general.memory).toBe(true);
  expect(fast.writes).toEqual(general.writes);
}

function run(c: Case, fast: boolean): Outcome {
  fastTransitions.enabled = fast;
  const { machine, writes } = build(c);
  return outcome(machine, [machine.run({ maxInstructions: c.maxInstructions ?? 10_000 })], writes, true);
}

/** Two machines stepped one instruction at a time, one with the fast path and one without, compared after every step. */
function stepBoth(c: Case): void {
  const fast = build(c);
  const general = build(c);
  for (let i = 0; i < 300; i++) {
    fastTransitions.enabled = true;
    const a = fast.machine.run({ maxInstructions: 1 });
    fastTransitions.enabled = false;
    const b = general.machine.run({ maxInstructions: 1 });
    const last = a.reason !== 'limit' || b.reason !== 'limit';
    expectSame(outcome(fast.machine, [a], fast.writes, last), outcome(general.machine, [b], general.writes, last));
    if (last) return;
  }
}

function compare(c: Case): Outcome {
  const general = run(c, false);
  const fast = run(c, true);
  expectSame(fast, general);
  stepBoth(c);
  if (c.fast?.gate !== undefined) expect(fast.gateMemo[c.fast.gate]).toBeGreaterThanOrEqual(0);
  if (c.fast?.ret) expect(fast.retMemo).toBeGreaterThanOrEqual(0);
  // Forced off, the fast path remembers nothing.
  expect(general.gateMemo.every((g) => g === -1) && general.retMemo === -1).toBe(true);
  return fast;
}

const LOOP = `
    mov $6, %rcx
1:  int $0x80
    dec %rcx
    jnz 1b
    hlt`;

const COUNT = `
    inc %rbx
    iretq`;

/** Three INTs first: the first delivery sets the accessed bits (a table write), the next ones fill the caches and the memo. */
const WARM = 'int $0x80\n int $0x80\n int $0x80\n';

/** Ends a run in ring 0 (the handler of #GP, #NP, #SS, #DB, #AC ...): HLT. */
const STOP = 'hlt';


/** An IRETQ from ring 3 to ring 3 at `label` (a local label), with RFLAGS `rflags` and the current stack. */
const iretqToRing3 = (rflags: string, label: string): string =>
  ['pushq $0x23', 'lea 8(%rsp), %rax', 'push %rax', `pushq $${rflags}`, 'pushq $0x2b', `lea ${label}(%rip), %rax`, 'push %rax', 'iretq'].join('\n');

const CASES: [string, Case][] = [
  ['the plain INT/IRETQ loop', { code: LOOP, handlers: { 0x80: COUNT }, fast: { gate: 0x80, ret: true } }],
  ['the loop with IF set (an interrupt gate clears it, IRETQ restores it)', { code: LOOP, rflags: '0x202', handlers: { 0x80: 'pushfq\n pop %rdx\n' + COUNT }, fast: { gate: 0x80, ret: true } }],
  ['a trap gate (IF stays set)', { code: LOOP, rflags: '0x202', memory: gateHex(0x80, { kind: 'trap' }), handlers: { 0x80: 'pushfq\n pop %rdx\n' + COUNT }, fast: { gate: 0x80, ret: true } }],
  ['a gate with IST 1', { code: LOOP, memory: { ...gateHex(0x80, { ist: 1 }), [TSS_BASE + 0x24]: '00a0000000000000' }, handlers: { 0x80: 'mov %rsp, %rdx\n' + COUNT } }],
  ['a gate that is not present', { code: LOOP, memory: gateHex(0x80, { present: false }), handlers: { 11: STOP } }],
  ['a gate rewritten between two INTs', {
    code: `
    int $0x80
    movw $${handlerAt(0x81) & 0xffff}, ${IDT + 0x80 * 16}
    int $0x80
    int $0x80
    hlt`,
    handlers: { 0x80: COUNT, 0x81: 'add $10, %rbx\n iretq' },
    fast: { gate: 0x80, ret: true },
  }],
  ['a gate made not present between two INTs', { code: `${WARM} andb $0x7f, ${IDT + 0x80 * 16 + 5}\n int $0x80\n hlt`, handlers: { 0x80: COUNT, 11: STOP }, fast: { gate: 0x80 } }],
  ['the handler CS descriptor left unaccessed between two INTs', { code: `${WARM} andb $0xfe, ${GDT + 8 + 5}\n int $0x80\n int $0x80\n hlt`, handlers: { 0x80: COUNT }, fast: { gate: 0x80 } }],
  ['the kernel SS descriptor left unaccessed before an IRETQ', { code: `${WARM} andb $0xfe, ${GDT + 16 + 5}\n int $0x80\n int $0x80\n hlt`, handlers: { 0x80: COUNT }, fast: { ret: true } }],
  ['a gate DPL 0 from CPL 3 (#GP)', { code: 'int $0x80\n hlt', cpl: 3, handlers: { 13: STOP } }],
  ['CPL 3 to 0 with a stack switch and back', { code: LOOP.replace('hlt', 'int $0x81'), cpl: 3, dpl: { 0x80: 3, 0x81: 3 }, handlers: { 0x80: COUNT, 0x81: STOP } }],
  ['ring-3 IRETQs to ring 3, the last one setting AC under CR0.AM (#AC next)', {
    code: `
    mov $3, %rcx
1:  ${iretqToRing3('0x202', '2f')}
2:  dec %rcx
    jnz 1b
    ${iretqToRing3('0x40202', '3f')}
3:  mov 1(%rsp), %rax
    int $0x81`,
    cpl: 3,
    alignmentMask: true,
    dpl: { 0x81: 3 },
    handlers: { 0x81: STOP, 17: 'mov $17, %r12\n hlt' },
    fast: { ret: true },
  }],
  ['IRETQ to CPL 3 from the kernel', { code: 'pushq $0x23\n pushq $0x8400\n pushq $0x202\n pushq $0x2b\n lea 1f(%rip), %rax\n push %rax\n iretq\n1: int $0x81', dpl: { 0x81: 3 }, handlers: { 0x81: STOP } }],
  ['a non-canonical return RIP in IRETQ', { code: `${WARM} int $0x82`, handlers: { 0x80: COUNT, 0x82: 'movabs $0x0000800000000000, %rax\n mov %rax, (%rsp)\n iretq', 13: STOP }, fast: { gate: 0x80 } }],
  ['a return CS whose RPL differs from its DPL', { code: `${WARM} int $0x82`, handlers: { 0x80: COUNT, 0x82: 'movq $0x0b, 8(%rsp)\n iretq', 13: STOP }, fast: { gate: 0x80 } }],
  ['TF set in the IRETQ image', { code: `${WARM} int $0x82\n nop\n nop`, handlers: { 0x80: COUNT, 0x82: 'orq $0x100, 16(%rsp)\n iretq', 1: STOP }, fast: { gate: 0x80, ret: true } }],
  ['RF set in the IRETQ image', { code: LOOP, handlers: { 0x80: 'orq $0x10000, 16(%rsp)\n' + COUNT }, fast: { gate: 0x80, ret: true } }],
  ['NT set in the IRETQ (#GP in IA-32e mode)', { code: LOOP, handlers: { 0x80: 'pushfq\n orq $0x4000, (%rsp)\n popfq\n iretq', 13: STOP } }],
  ['TF set at the INT', { code: `pushfq\n orq $0x100, (%rsp)\n popfq\n ${LOOP}`, handlers: { 0x80: COUNT, 1: 'iretq' } }],
  ['a null SS in the IRETQ image at CPL 0', { code: LOOP, handlers: { 0x80: 'movq $0, 32(%rsp)\n' + COUNT }, fast: { gate: 0x80, ret: true } }],
  ['a frame across a page boundary', { code: LOOP, regs: { rsp: '0x8010' }, handlers: { 0x80: COUNT } }],
  ...(['0x9234567890abcdef', '0x0020000000000001', '0xffff800012345679'] as const).map(
    (rsp) => [`IRETQ loading RSP ${rsp}`, { code: `${WARM} int $0x82\n hlt`, handlers: { 0x80: COUNT, 0x82: `movabs $${rsp}, %rax\n mov %rax, 24(%rsp)\n iretq` }, fast: { gate: 0x80, ret: true } }] as [string, Case],
  ),
  ['a non-canonical RSP at the INT', { code: 'movabs $0x0000800000000010, %rsp\n' + LOOP, handlers: { 0x80: COUNT, 8: STOP, 12: STOP } }],
  ['the recorder journal of writes', { code: LOOP, handlers: { 0x80: COUNT }, journal: true }],
  ['a timer interrupting the loop', { code: LOOP, rflags: '0x202', timer: { vector: 0x40, every: 5 }, handlers: { 0x80: COUNT, 0x40: 'add $100, %rbx\n iretq' }, fast: { gate: 0x80, ret: true } }],
  ['a step budget ending at each instruction', { code: LOOP, maxInstructions: 23, handlers: { 0x80: COUNT }, fast: { gate: 0x80 } }],
];

describe('the INT n / IRETQ fast path', () => {
  afterEach(() => {
    fastTransitions.enabled = true;
  });

  it.each(CASES)('leaves the state the general path leaves: %s', (_, c) => {
    compare(c);
  });

  it('counts the loop as the general path does and sees a rewritten gate', () => {
    const [, c] = CASES.find(([name]) => name === 'a gate rewritten between two INTs')!;
    const fast = compare(c);
    expect(fast.results[0]).toMatchObject({ reason: 'hlt', instructions: 11 });
    expect((fast.cpu.lo.value as Int32Array)[3]).toBe(21);
  });

  it('takes #AC after a fast IRETQ that set AC at CPL 3', () => {
    const [, c] = CASES.find(([name]) => name.startsWith('ring-3 IRETQs'))!;
    expect((compare(c).cpu.lo.value as Int32Array)[12]).toBe(17);
  });

  it.each(['0x9234567890abcdef', '0x0020000000000001', '0xffff800012345679'])('IRETQ loads RSP %s exactly, canonical or not', (rsp) => {
    const [, c] = CASES.find(([name]) => name === `IRETQ loading RSP ${rsp}`)!;
    for (const fast of [true, false]) {
      fastTransitions.enabled = fast;
      const { machine } = build(c);
      expect(machine.run({ maxInstructions: 1000 }).reason).toBe('hlt');
      expect(machine.getRegister('rsp')).toBe(BigInt(rsp));
    }
  });

  it('returns to the caller after the INT, one step of the budget for the delivery', () => {
    const fast = compare({ code: LOOP, handlers: { 0x80: COUNT } });
    expect(fast.results[0]).toMatchObject({ reason: 'hlt', instructions: 1 + 6 * 5 + 1 });
  });
});

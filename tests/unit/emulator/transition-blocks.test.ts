/**
 * INT n and IRET end blocks, and a lone one is a block of its own: the run loop chains into and
 * out of them and settles what they leave (the INT's delivery, TF, RF, a pending interrupt) as it
 * does after the instruction. Every case runs in all three execution modes, in slices of many
 * sizes, and must leave the same state, memory and run results after every slice.
 */
import { describe, expect, it } from 'vitest';
import { assemble } from '../../../emulator/asm/index.ts';
import { captureCpu, diffCpuStates, toJson } from '../../../emulator/debug/cpu-state.ts';
import type { Execution, Machine, RunResult } from '../../../emulator/index.ts';
import { CODE, LOG, handlerAt, longMachine, qword, type LongMachine } from './long-machine.ts';
import { toHex } from './helpers.ts';

const MODES: Execution[] = ['interpreter', 'blocks', 'compiled'];

const asm = (source: string, base: number): string => {
  const r = assemble(`    .text\n${source}\n`, { bits: 64, sectionBases: { '.text': base } });
  if (!r.ok) throw new Error(r.diagnostics.map((d) => `${d.line}:${d.column} ${d.message}`).join('\n'));
  return toHex(r.sections.find((s) => s.name === '.text')!.bytes);
};

interface Case extends Omit<LongMachine, 'code' | 'handlers'> {
  name: string;
  code: string;
  handlers: Record<number, string>;
  setup?: (m: Machine) => void;
  /** The run must end this way after its last slice (a check that the case reached what it is about). */
  ends: RunResult['reason'];
}

/** Counts in LOG+0 how often handler 0x80 ran. */
const COUNT = `incq ${LOG}`;

const CASES: Case[] = [
  {
    name: 'INT n / IRETQ in ring 0, flags owed before the INT pushed with it',
    code: ['mov $700, %rcx', 'top:', 'add %rcx, %rax', 'sub $3, %rbx', 'int $0x80', 'dec %rcx', 'jnz top', 'hlt'].join('\n'),
    handlers: { 0x80: [COUNT, 'iretq'].join('\n') },
    ends: 'hlt',
  },
  {
    name: 'a lone INT at the loop head, its handler a lone IRETQ',
    code: ['mov $900, %rcx', 'top:', 'int $0x80', 'dec %rcx', 'jnz top', 'hlt'].join('\n'),
    handlers: { 0x80: 'iretq' },
    ends: 'hlt',
  },
  {
    name: 'IF set: a timer interrupt taken right after the IRETQ that re-enables it',
    code: ['mov $300, %rcx', 'top:', 'int $0x80', 'add $1, %rdx', 'dec %rcx', 'jnz top', 'hlt'].join('\n'),
    handlers: { 0x80: [COUNT, 'iretq'].join('\n'), 32: [`incq ${LOG + 8}`, `mov %rcx, ${LOG + 16}`, 'iretq'].join('\n') },
    rflags: '0x202',
    setup: (m) => void m.addTimer({ vector: 32, every: 13 }),
    ends: 'hlt',
  },
  {
    name: 'STI right before INT: its shadow ends at the delivery',
    // The handler returns with IF clear, so each STI sets IF and its shadow covers the INT.
    code: ['mov $1000, %rcx', 'top:', 'sti', 'int $0x80', 'dec %rcx', 'jnz top', 'hlt'].join('\n'),
    handlers: { 0x80: [COUNT, 'andq $-0x201, 16(%rsp)', 'iretq'].join('\n') },
    rflags: '0x202',
    ends: 'hlt',
  },
  {
    name: 'IRETQ loads TF on every other return: the single-step trap comes after exactly one instruction',
    // The INT handler sets TF in the frame on odd calls (so its block also returns with TF clear and
    // is chained from); the #DB handler clears it in its own frame.
    code: ['mov $300, %rcx', 'top:', 'int $0x80', 'add $7, %rdx', 'dec %rcx', 'jnz top', 'hlt'].join('\n'),
    handlers: {
      0x80: [COUNT, `mov ${LOG}, %rax`, 'and $1, %rax', 'shl $8, %rax', 'or %rax, 16(%rsp)', 'iretq'].join('\n'),
      1: [`incq ${LOG + 8}`, `mov %rdx, ${LOG + 16}`, 'andq $-0x101, 16(%rsp)', 'iretq'].join('\n'),
    },
    ends: 'hlt',
  },
  {
    name: 'IRETQ loads RF: it is cleared after the next instruction',
    code: ['mov $300, %rcx', 'top:', 'int $0x80', 'pushfq', 'pop %rax', 'dec %rcx', 'jnz top', 'hlt'].join('\n'),
    handlers: { 0x80: ['orq $0x10000, 16(%rsp)', 'iretq'].join('\n') },
    ends: 'hlt',
  },
  {
    name: 'a gate with IST 1: the general path delivers from inside the block',
    code: ['mov $400, %rcx', 'top:', 'int $0x81', 'dec %rcx', 'jnz top', 'hlt'].join('\n'),
    handlers: { 0x81: [`incq ${LOG + 8}`, 'iretq'].join('\n') },
    // IST1 in the TSS (offset 0x24) and the gate's IST field (byte 4 of the entry).
    memory: { [0x5024]: '00a0000000000000', [0x3000 + 0x81 * 16 + 4]: '01' },
    ends: 'hlt',
  },
  {
    name: 'ring 3 to ring 0 and back through a DPL 3 gate (a stack switch each way)',
    code: ['mov $500, %rcx', 'top:', 'int $0x80', 'dec %rcx', 'jnz top', 'ud2'].join('\n'),
    handlers: { 0x80: [COUNT, 'iretq'].join('\n'), 6: 'hlt' },
    cpl: 3,
    dpl: { 0x80: 3 },
    ends: 'hlt',
  },
  {
    name: 'an INT whose gate leads back to the start of its own block (which must not loop in place)',
    // Each pass reads one page further on, until the read leaves the 2 MiB page: #PF, whose handler halts.
    code: ['top:', 'add $0x800, %rdx', 'mov (%rdx), %rax', 'int $0x80'].join('\n'),
    handlers: { 0x80: 'iretq', 14: 'hlt' },
    regs: { rdx: '0x1000', rsp: '0x1ff000' },
    // Gate 0x80 to CODE (0x10000) instead of its handler.
    memory: { [0x3000 + 0x80 * 16]: '0000' + '0800' + '00' + '8e' + '0100' + '00000000' + '00000000' },
    ends: 'hlt',
  },
  {
    name: 'an IRETQ back to the start of its own block, loading TF on every other pass',
    // The block builds its own frame (RFLAGS.TF = bit 11 of RDX) and returns to itself; #DB clears TF; #PF past 2 MiB halts.
    code: [
      'top:', 'add $0x800, %rdx', 'mov (%rdx), %rax', 'mov %rdx, %rax', 'shr $3, %rax', 'and $0x100, %rax', 'or $2, %rax',
      'mov %rsp, %rbx', 'sub $40, %rsp', 'movq $top, (%rsp)', 'movq $8, 8(%rsp)', 'mov %rax, 16(%rsp)', 'mov %rbx, 24(%rsp)', 'movq $0x10, 32(%rsp)', 'iretq',
    ].join('\n'),
    handlers: { 1: [`incq ${LOG + 8}`, 'andq $-0x101, 16(%rsp)', 'iretq'].join('\n'), 14: 'hlt' },
    regs: { rdx: '0x1000' },
    ends: 'hlt',
  },
  {
    name: 'an INT the run loop must not deliver (deliverExceptions off): the run stops at it',
    code: ['mov $400, %rcx', 'top:', 'add $1, %rax', 'dec %rcx', 'jnz top', 'int $0x80', 'hlt'].join('\n'),
    handlers: { 0x80: 'iretq' },
    setup: (m) => {
      m.deliverExceptions = false;
    },
    ends: 'fault',
  },
  {
    name: 'an INT whose gate is not present: #NP from inside the block',
    code: ['mov $400, %rcx', 'top:', 'int $0x80', 'dec %rcx', 'jnz top', 'hlt'].join('\n'),
    handlers: { 0x80: 'iretq', 11: [`incq ${LOG + 8}`, 'mov $0x8e, %al', `movb %al, ${0x3000 + 0x80 * 16 + 5}`, 'add $8, %rsp', 'iretq'].join('\n') },
    memory: { [0x3000 + 0x80 * 16 + 5]: '0e' },
    ends: 'hlt',
  },
];

// Small slices past the point where hot blocks are compiled (about 200 passes), so a miscounted budget shows there too.
const SLICES = [1, 2, 3, 5, 8, 13, 40, 97, 250, 31, 7, 500, 1000, 4000, 20_000];

function build(c: Case, execution: Execution): Machine {
  const handlers: Record<number, string> = {};
  for (const [v, src] of Object.entries(c.handlers)) handlers[Number(v)] = asm(src, handlerAt(Number(v)));
  const m = longMachine({ ...c, code: asm(c.code, CODE), handlers });
  m.execution = execution;
  c.setup?.(m);
  return m;
}

const snapshot = (m: Machine, result: RunResult) => ({ result, cpu: captureCpu(m.cpu), log: [0, 8, 16].map((o) => qword(m, LOG + o)), memory: Buffer.from(m.read(0, 0x50000)) });

describe('transitions that end blocks', () => {
  for (const c of CASES) {
    it(`${c.name}: the same state after every slice in every mode`, () => {
      const machines = MODES.map((mode) => build(c, mode));
      let last: RunResult | null = null;
      for (let k = 0; last === null || last.reason === 'limit'; k++) {
        const slice = SLICES[k % SLICES.length];
        const after = machines.map((m) => snapshot(m, m.run({ maxInstructions: slice })));
        for (let i = 1; i < MODES.length; i++) {
          const where = `${MODES[i]} after slice ${k} (${slice} instructions)`;
          expect(diffCpuStates(after[i].cpu, after[0].cpu).map((key) => [key, toJson(after[i].cpu[key]), toJson(after[0].cpu[key])]), where).toEqual([]);
          expect(after[i].result, where).toEqual(after[0].result);
          expect(after[i].log, where).toEqual(after[0].log);
          expect(after[i].memory.equals(after[0].memory), `${where}: memory`).toBe(true);
        }
        last = after[0].result;
        expect(k, 'the case ends').toBeLessThan(2000);
      }
      expect(last.reason).toBe(c.ends);
    });
  }

  it('in one run, INT and IRETQ become blocks of their own, compiled, and the loop still counts right', () => {
    const c = CASES[1];
    const m = build(c, 'compiled');
    const result = m.run({ maxInstructions: 1_000_000 });
    // mov, then 900 × (int, iretq, dec, jnz), then hlt.
    expect(result).toMatchObject({ reason: 'hlt', instructions: 1 + 900 * 4 + 1 });
    const heads = [CODE + 7, handlerAt(0x80)].map((at) => m.cache.fetch(m.cpu, at).block);
    expect(heads.map((b) => b !== null && b.insns.length === 1 && b.transition)).toEqual([true, true]);
    expect(heads.map((b) => (b as unknown as { compiled: boolean }).compiled)).toEqual([true, true]);
  });

  it('an exception observer sees every INT in every mode', () => {
    const c = CASES[0];
    const seen = MODES.map((mode) => {
      const m = build(c, mode);
      const events: string[] = [];
      m.exceptionObserver = { raised: (e) => void events.push(`${e.vector}@${m.cpu.instructions}`), handled: () => {} };
      expect(m.run({ maxInstructions: 100_000 }).reason).toBe('hlt');
      return events;
    });
    expect(seen[0]).toHaveLength(700);
    expect(seen[1]).toEqual(seen[0]);
    expect(seen[2]).toEqual(seen[0]);
  });
});

/**
 * Blocks and compiled blocks against the interpreter: the same program, run in every execution
 * mode and cut into the same slices, must leave the same machine after every slice (registers,
 * RFLAGS, RIP, retired instructions, memory) and stop for the same reason with the same fault.
 */
import { describe, expect, it } from 'vitest';
import { assemble } from '../../../emulator/asm/index.ts';
import { Machine, type Execution, type RunResult } from '../../../emulator/index.ts';
import { GPR_NAMES } from '../../../emulator/arch/registers.ts';
import { blockSource } from '../../../emulator/blocks/compile.ts';
import { longMachine, LOG, qword } from './long-machine.ts';

const CODE = 0x10000;
const DATA = 0x20000;
const STACK_TOP = 0x80000;
const MODES: Execution[] = ['interpreter', 'blocks', 'compiled'];

/** A small deterministic generator, so a failing case can be replayed by its seed. */
function random(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

const REGS64 = ['%rax', '%rbx', '%rcx', '%rdx', '%rsi', '%r8', '%r9', '%r10', '%r11'];
const REGS32 = ['%eax', '%ebx', '%ecx', '%edx', '%esi', '%r8d', '%r9d', '%r10d', '%r11d'];
const CCS = ['o', 'no', 'b', 'ae', 'e', 'ne', 'be', 'a', 's', 'ns', 'p', 'np', 'l', 'ge', 'le', 'g'];

/** One random instruction (or a short idiom) over RAX..R11, with RDI the data area and R15 the loop counter. */
function instruction(r: () => number, label: () => number): string {
  const pick = <T,>(list: readonly T[]): T => list[Math.floor(r() * list.length)];
  const q = () => pick(REGS64);
  const d = () => pick(REGS32);
  const imm = () => pick([0, 1, -1, 7, 0x7f, -0x80, 0x12345678, -0x7fffffff, 63, 32, 31]);
  const slot = () => 8 * Math.floor(r() * 6);
  switch (Math.floor(r() * 24)) {
    case 0: return `mov ${slot()}(%rdi), ${q()}`;
    case 1: return `mov ${q()}, ${slot()}(%rdi)`;
    case 2: return `${pick(['add', 'sub', 'and', 'or', 'xor', 'cmp', 'test', 'adc', 'sbb'])} ${q()}, ${q()}`;
    case 3: return `${pick(['add', 'sub', 'and', 'or', 'xor', 'cmp'])} $${imm()}, ${q()}`;
    case 4: return `${pick(['add', 'sub', 'and', 'or', 'xor', 'cmp', 'test'])} ${d()}, ${d()}`;
    case 5: return `${pick(['add', 'sub', 'and', 'or', 'xor', 'cmp'])} $${imm()}, ${d()}`;
    case 6: return `${pick(['add', 'sub', 'cmp', 'and', 'or', 'xor'])} ${slot()}(%rdi), ${q()}`;
    case 7: return `${pick(['inc', 'dec', 'neg', 'not'])} ${q()}`;
    case 8: return `${pick(['shl', 'shr', 'sar', 'rol', 'ror'])} $${Math.floor(r() * 64)}, ${q()}`;
    case 9: return `${pick(['shl', 'shr', 'sar'])} $${Math.floor(r() * 32)}, ${d()}`;
    case 10: return `mov ${q()}, ${q()}`;
    case 11: return `mov ${d()}, ${d()}`;
    case 12: return `mov $${imm()}, ${q()}`;
    case 13: return `push ${q()}\n pop ${q()}`;
    case 14: return `set${pick(CCS)} %al`;
    case 15: return `cmov${pick(CCS)} ${q()}, ${q()}`;
    case 16: return `imul ${q()}, ${q()}`;
    case 17: return `lea ${slot()}(%rdi,%rcx,1), ${q()}`;
    case 18: {
      const n = label();
      return `j${pick(CCS)} ${n}f\n add $3, ${q()}\n${n}:`;
    }
    case 19: return `movl ${d()}, ${slot()}(%rdi)`;
    case 20: return `and $3, %ecx\n mov (%rdi,%rcx,8), ${pick(REGS64.filter((x) => x !== '%rcx'))}\n add ${q()}, (%rdi,%rcx,8)`;
    case 21: return `call helper`;
    case 22: return `${pick(['inc', 'dec'])} ${d()}`;
    default: return `xchg ${q()}, ${q()}`;
  }
}

function program(seed: number, body = 12, iterations = 600): string {
  const r = random(seed);
  let labels = 100;
  const lines = Array.from({ length: body }, () => instruction(r, () => labels++));
  return [`mov $${iterations}, %r15`, 'top:', ...lines, 'sub $1, %r15', 'jne top', 'hlt', 'helper:', 'add $1, %r9', 'ret'].join('\n');
}

function assembleAt(source: string): Uint8Array {
  const out = assemble(source, { sectionBases: { '.text': CODE } });
  if (!out.ok) throw new Error(out.diagnostics.map((d) => `${d.line}: ${d.message}`).join('\n') + '\n' + source);
  return out.sections.find((s) => s.name === '.text')!.bytes;
}

function machine(code: Uint8Array, execution: Execution, seed: number): Machine {
  const m = new Machine({ ramSize: 0x100000, execution });
  m.load(CODE, code);
  const r = random(seed ^ 0x5a5a5a5a);
  const data = new Uint8Array(64).map(() => Math.floor(r() * 256));
  m.load(DATA, data);
  for (const name of ['rax', 'rbx', 'rcx', 'rdx', 'rsi', 'r8', 'r9', 'r10', 'r11']) {
    m.setRegister(name, (BigInt(Math.floor(r() * 2 ** 32)) << 32n) | BigInt(Math.floor(r() * 2 ** 32)));
  }
  m.setRegister('rdi', BigInt(DATA));
  m.setRegister('rsp', BigInt(STACK_TOP));
  m.setRegister('rflags', BigInt(Math.floor(r() * 2) ? 0x8d5 : 0x2));
  m.setRegister('rip', BigInt(CODE));
  return m;
}

function state(m: Machine, result: RunResult): unknown {
  const regs = Object.fromEntries([...GPR_NAMES, 'rip', 'rflags'].map((n) => [n, m.getRegister(n).toString(16)]));
  const data = Array.from(m.read(DATA, 64), (b) => b.toString(16).padStart(2, '0')).join('');
  const stack = Array.from(m.read(STACK_TOP - 64, 64), (b) => b.toString(16).padStart(2, '0')).join('');
  return { result, regs, data, stack, retired: m.cpu.instructions };
}

/** Runs every mode in the same slices; returns the states after each slice, per mode. */
function compare(code: Uint8Array, seed: number, slices: number[], setup?: (m: Machine) => void): { states: unknown[]; machines: Machine[] } {
  const machines = MODES.map((mode) => machine(code, mode, seed));
  if (setup) machines.forEach(setup);
  const states: unknown[] = [];
  for (const slice of slices) {
    const after = machines.map((m) => state(m, m.run({ maxInstructions: slice })));
    expect(after[1], `blocks after a slice of ${slice}`).toEqual(after[0]);
    expect(after[2], `compiled blocks after a slice of ${slice}`).toEqual(after[0]);
    states.push(after[0]);
    if ((after[0] as { result: RunResult }).result.reason !== 'limit') break;
  }
  return { states, machines };
}

const blocksOf = (m: Machine) => {
  const seen = new Set<unknown>();
  for (const page of (m.cache as unknown as { pages: Map<number, ({ block: { insns: unknown[]; compiled: boolean } | null } | undefined)[]> }).pages.values()) {
    for (const insn of page) if (insn?.block && insn.block.insns.length > 0) seen.add(insn.block);
  }
  return [...seen] as { insns: unknown[]; compiled: boolean }[];
};

describe('blocks run as the interpreter does', () => {
  for (let seed = 1; seed <= 24; seed++) {
    it(`random program ${seed}: the same machine after every slice`, () => {
      const code = assembleAt(program(seed));
      const r = random(seed * 7919);
      const slices = Array.from({ length: 40 }, () => 1 + Math.floor(r() * (r() < 0.3 ? 5 : 900)));
      slices.push(1_000_000);
      const { states, machines } = compare(code, seed, slices);
      expect((states.at(-1) as { result: RunResult }).result.reason).toBe('hlt');
      // The comparison means something only if blocks did run, and some compiled.
      expect(blocksOf(machines[1]).length).toBeGreaterThan(0);
      expect(blocksOf(machines[2]).some((b) => b.compiled)).toBe(true);
    });
  }

  // Each inline form, with its flags dead (the CMP after it overwrites them) and then live.
  const forms = [
    ...[1, 5, 31, 32, 33, 63].flatMap((n) => [`shl $${n}, %rax`, `shr $${n}, %rax`, `sar $${n}, %rax`]),
    'add %rbx, %rax', 'sub %rbx, %rax', 'and %rbx, %rax', 'or %rbx, %rax', 'xor %rbx, %rax', 'add $-5, %rax', 'sub $0x7fffffff, %rax', 'and $-16, %rax',
    'add %ebx, %eax', 'sub %ebx, %eax', 'and %ebx, %eax', 'or %ebx, %eax', 'xor %ebx, %eax', 'add $-1, %eax', 'sub $3, %eax', 'and $0xff, %eax',
    'inc %rax', 'dec %rax', 'stc\n inc %rax', 'stc\n dec %rax', 'mov %rbx, %rax', 'mov %ebx, %eax', 'mov $-2, %rax', 'mov $7, %eax', 'mov 8(%rdi), %rax', 'mov 8(%rdi), %eax',
    'add 8(%rdi), %rax', 'sub 16(%rdi), %rax', 'cmp 8(%rdi), %rax', 'add 8(%rdi), %eax', 'mov %rax, 24(%rdi)', 'mov %eax, 24(%rdi)', 'movq $-9, 24(%rdi)', 'movl $9, 24(%rdi)',
    'add %rbx, 8(%rdi)', 'subq $5, 8(%rdi)', 'and %rbx, 16(%rdi)', 'xorq $-1, 16(%rdi)', 'cmp %rbx, 8(%rdi)', 'test %rbx, 8(%rdi)',
    'add %ebx, 8(%rdi)', 'subl $9, 16(%rdi)', 'or %ebx, 8(%rdi)', 'cmpl $3, 8(%rdi)',
    'push %rax\n pop %rdx',
  ];
  for (const form of forms) {
    it(`${form.replace(/\n\s*/g, '; ')}: the same result with its flags dead or live`, () => {
      const source = [
        'mov $700, %r15', 'top:', 'mov %rbx, %rax', form, 'cmp %rcx, %rdx', 'xor %rax, %r12', form, 'pushf', 'pop %r13', 'add %r13, %r12', 'xor %rax, %r12',
        'add %rsi, %rbx', 'rol $13, %rbx', 'mov %rbx, 8(%rdi)', 'mov %rsi, 16(%rdi)', 'add $0x7000, %rsi', 'sub $1, %r15', 'jne top', 'hlt',
      ].join('\n');
      const { states } = compare(assembleAt(source), form.length, [1_000_000]);
      expect((states[0] as { result: RunResult }).result.reason).toBe('hlt');
    });
  }

  it('a fault in the middle of a compiled block reports the interpreter instruction, RIP, count and flags', () => {
    // After 250 passes R12 turns non-canonical: the load through it is #GP, right after an ADD whose
    // flags only the fault can see (the SUB after it would overwrite them).
    const source = [
      'mov $400, %r15', 'mov %rdi, %r12', 'top:', 'cmp $150, %r15', 'jne 1f', 'movabs $0x8000000000000000, %r12', '1:',
      'add %rbx, %rax', 'mov (%r12), %rdx', 'sub %rcx, %rsi', 'mov %rsi, 8(%rdi)', 'sub $1, %r15', 'jne top', 'hlt',
    ].join('\n');
    const { states } = compare(assembleAt(source), 3, [1_000_000]);
    const { result } = states[0] as { result: RunResult };
    expect(result.reason).toBe('fault');
    expect(result.fault?.name).toBe('#GP');
    expect(result.fault?.mnemonic).toBe('MOV');
  });

  // Flag writers whose flags a compiled block owes rather than computes: a fault right after one must see them.
  const writers = [
    'add %rbx, %rax', 'sub %rbx, %rax', 'cmp %rbx, %rax', 'and %rbx, %rax', 'or %rbx, %rax', 'xor %rbx, %rax', 'test %rbx, %rax', 'sub $1, %rax',
    'add %ebx, %eax', 'sub %ebx, %eax', 'cmp %ebx, %eax', 'and $0xff, %eax', 'xor %ebx, %eax', 'test %ebx, %eax',
    'inc %rax', 'dec %rax', 'stc\n inc %rax', 'stc\n dec %rax', 'sub $1, %rax\n inc %rax',
    'add %rbx, 8(%rdi)', 'cmp %rbx, 8(%rdi)', 'andl $7, 8(%rdi)', 'cmpl $3, 8(%rdi)', 'add 8(%rdi), %rax', 'cmp 8(%rdi), %eax',
  ];
  for (const writer of writers) {
    it(`a fault right after ${writer.replace(/\n\s*/g, '; ')} sees the flags it left`, () => {
      const source = [
        'mov $400, %r15', 'mov %rdi, %r12', 'top:', 'cmp $150, %r15', 'jne 1f', 'movabs $0x8000000000000000, %r12', '1:',
        'mov %r15, %rax', 'imul %rsi, %rax', writer, 'mov (%r12), %rdx', 'sub $1, %r15', 'jne top', 'hlt',
      ].join('\n');
      const { states } = compare(assembleAt(source), writer.length, [1_000_000]);
      const { result } = states[0] as { result: RunResult };
      expect([result.reason, result.fault?.name, result.fault?.mnemonic]).toEqual(['fault', '#GP', 'MOV']);
    });
  }

  // Every condition after each writer a branch can answer from its operands, over operands at the edges.
  const compares = ['cmp %rcx, %rbx', 'cmp %ecx, %ebx', 'test %rcx, %rbx', 'and %rcx, %rbx', 'dec %rbx', 'inc %rbx', 'sub $1, %rbx', 'cmp $-1, %ebx'];
  for (const writer of compares) {
    it(`every condition after ${writer} branches as the interpreter does`, () => {
      const edges = [0n, 1n, 0x7fffffffffffffffn, 0x8000000000000000n, 0xffffffffffffffffn, 0x80000000n, 0xffffffffn, 0x100000000n];
      const branches = CCS.flatMap((cc, i) => [writer, `j${cc} ${i + 1}f`, `add $${i + 1}, %r9`, `${i + 1}:`, 'mov %r8, %rbx']);
      const source = [
        'mov $1000, %r15', 'top:', 'mov %r15, %rax', 'and $7, %eax', 'mov (%rdi,%rax,8), %rbx', 'mov %r15, %rdx', 'shr $3, %edx', 'and $7, %edx', 'mov (%rdi,%rdx,8), %rcx', 'mov %rbx, %r8',
        ...branches, 'sub $1, %r15', 'jne top', 'hlt',
      ].join('\n');
      const { states, machines } = compare(assembleAt(source), 5, [1_000_000], (m) => m.load(DATA, new Uint8Array(new BigUint64Array(edges).buffer)));
      expect((states[0] as { result: RunResult }).result.reason).toBe('hlt');
      // Each branch ends a block; all of them must have run compiled.
      expect(blocksOf(machines[2]).filter((b) => b.compiled).length).toBeGreaterThanOrEqual(CCS.length);
    });
  }

  it('a RET whose return address was replaced leaves the block there, as the interpreter has it', () => {
    // The helper's RET is foreseen to return after the CALL; at R15 = 50 the helper swaps in another address.
    const source = [
      'mov $300, %r15', 'xor %r10d, %r10d', 'top:', 'add $1, %rax', 'call helper', 'add $1, %r9', 'sub $1, %r15', 'jne top', 'hlt',
      'other:', 'add $100, %r10', 'sub $1, %r15', 'jne top', 'hlt',
      'helper:', 'push %rbx', 'lea other(%rip), %rcx', 'mov 8(%rsp), %rdx', 'cmp $50, %r15', 'cmove %rcx, %rdx', 'mov %rdx, 8(%rsp)', 'pop %rbx', 'ret',
    ].join('\n');
    const r = random(77);
    const slices = [...Array.from({ length: 30 }, () => 1 + Math.floor(r() * 400)), 1_000_000];
    const { states, machines } = compare(assembleAt(source), 21, slices);
    const { result, regs } = states.at(-1) as { result: RunResult; regs: Record<string, string> };
    expect([result.reason, regs.r10]).toEqual(['hlt', '64']);
    // One compiled block runs from the loop's top through the helper and back to the JNE.
    expect(blocksOf(machines[2]).some((b) => b.insns.length === 13 && b.compiled)).toBe(true);
  });

  // Each helper, and what its caller does after it returns.
  for (const [what, helper, after] of [
    ['a push left on the stack', ['push %rbx', 'ret'], ['add $8, %rsp']],
    ['RSP moved by an ADD', ['sub $8, %rsp', 'add $8, %rsp', 'ret'], []],
    ['a POP into RSP', ['push %rsp', 'pop %rsp', 'ret'], []],
  ] as const) {
    it(`a RET after ${what} is not foreseen, and runs as the interpreter does`, () => {
      const source = ['mov $300, %r15', 'lea back(%rip), %rbx', 'top:', 'call helper', 'back:', ...after, 'add $1, %r9', 'sub $1, %r15', 'jne top', 'hlt', 'helper:', 'add $1, %rax', ...helper].join('\n');
      const { states, machines } = compare(assembleAt(source), 31, [1_000_000]);
      expect((states[0] as { result: RunResult }).result.reason).toBe('hlt');
      // The block from the CALL ends at the helper's RET: nothing after it was foreseen.
      const mnemonics = (b: { insns: unknown[] }) => (b.insns as { mnemonic: string }[]).map((insn) => insn.mnemonic);
      const fromCall = blocksOf(machines[2]).find((b) => mnemonics(b)[0] === 'CALL');
      expect(fromCall && mnemonics(fromCall).at(-1)).toBe('RET');
    });
  }

  it('a RET to a non-canonical address is #GP with RSP unchanged, as the interpreter has it', () => {
    const source = [
      'mov $300, %r15', 'top:', 'lea next(%rip), %rax', 'cmp $100, %r15', 'jne 1f', 'movabs $0x8000000000000000, %rax', '1:', 'push %rax', 'ret', 'next:', 'sub $1, %r15', 'jne top', 'hlt',
    ].join('\n');
    const { states } = compare(assembleAt(source), 9, [1_000_000]);
    const { result, regs } = states[0] as { result: RunResult; regs: Record<string, string> };
    expect([result.reason, result.fault?.name, result.fault?.mnemonic, regs.r15]).toEqual(['fault', '#GP', 'RET', '64']);
  });

  it('a block that goes on through a CALL faults on its push as the interpreter does', () => {
    const source = [
      'mov $700, %r15', 'top:', 'cmp $100, %r15', 'jne 1f', 'movabs $0x8000000000000008, %rsp', '1:', 'add $1, %rax', 'call helper', 'sub $1, %r15', 'jne top', 'hlt',
      'helper:', 'add %rax, %rbx', 'ret',
    ].join('\n');
    const { states, machines } = compare(assembleAt(source), 13, [1_000_000]);
    const { result } = states[0] as { result: RunResult };
    expect([result.reason, result.fault?.name, result.fault?.mnemonic]).toEqual(['fault', '#SS', 'CALL']);
    // The block from `1:` runs through the CALL into the helper, and its RET back to the loop's end.
    expect(blocksOf(machines[2]).some((b) => b.insns.length === 6 && b.compiled)).toBe(true);
  });

  it('a store into its own block runs the new bytes from the next instruction on', () => {
    // Each pass rewrites the immediate of the ADD further down the same block.
    const source = ['mov $300, %r15', 'xor %eax, %eax', 'top:', 'mov %r15b, patch+3(%rip)', 'nop', 'patch:', 'add $0, %rax', 'sub $1, %r15', 'jne top', 'hlt'].join('\n');
    const { states } = compare(assembleAt(source), 5, [7, 123, 1_000_000]);
    const last = states.at(-1) as { result: RunResult; regs: Record<string, string> };
    expect(last.result.reason).toBe('hlt');
    // The sum of the low bytes 300..1 as signed imm8 values, each added once, after its own store.
    let sum = 0n;
    for (let n = 300; n >= 1; n--) sum += BigInt(((n & 0xff) << 24) >> 24);
    expect(BigInt.asIntN(64, BigInt(`0x${last.regs.rax}`))).toBe(sum);
  });

  it('a timer interrupt arrives after exactly the same instruction in every mode', () => {
    const loop = assembleAt(['mov $5000, %r15', 'top:', 'add %rbx, %rax', 'shl $1, %rbx', 'xor %rax, %rbx', 'sub $1, %r15', 'jne top', 'hlt'].join('\n'));
    const hex = Array.from(loop, (b) => b.toString(16).padStart(2, '0')).join('');
    // The handler counts ticks and records the interrupted RIP's count of retired instructions.
    const handler = `48ff0425${LOG.toString(16).padStart(8, '0').match(/../g)!.reverse().join('')} 48cf`;
    const outcome = MODES.map((execution) => {
      const m = longMachine({ code: hex, handlers: { 32: handler }, rflags: '0x202', regs: { rbx: '0x1234567' } });
      m.execution = execution;
      m.addTimer({ vector: 32, every: 97 });
      const result = m.run({ maxInstructions: 1_000_000 });
      return { reason: result.reason, instructions: result.instructions, ticks: qword(m, LOG), rax: m.getRegister('rax'), rbx: m.getRegister('rbx') };
    });
    expect(outcome[1]).toEqual(outcome[0]);
    expect(outcome[2]).toEqual(outcome[0]);
    expect(outcome[0].ticks).toBeGreaterThan(200n);
  });

  it('single-stepping and breakpoints stop at each instruction of a hot loop, block or not', () => {
    const code = assembleAt(program(11, 8, 400));
    const machines = MODES.map((mode) => machine(code, mode, 11));
    for (const m of machines) m.run({ maxInstructions: 3000 });
    for (let i = 0; i < 50; i++) {
      const after = machines.map((m) => state(m, m.step()));
      expect(after[1]).toEqual(after[0]);
      expect(after[2]).toEqual(after[0]);
    }
    const at = machines.map((m) => state(m, m.run({ maxInstructions: 100_000, breakpoints: [CODE + 7] })));
    expect(at[2]).toEqual(at[0]);
    expect((at[0] as { result: RunResult }).result.reason).toBe('breakpoint');
  });

  it('flags are computed where a later instruction, a fault or the block end can see them, and nowhere else', () => {
    // add: overwritten by the SUB before anything can see it; sub: the store after it may fault; cmp: read by JNE.
    const code = assembleAt(['mov $300, %r15', 'top:', 'add %rbx, %rax', 'sub %rcx, %rsi', 'mov %rsi, 8(%rdi)', 'xor %rax, %rdx', 'sub $1, %r15', 'jne top', 'hlt'].join('\n'));
    const m = machine(code, 'compiled', 1);
    m.run({ maxInstructions: 100_000 });
    const block = blocksOf(m).find((b) => b.insns.length === 6)!;
    const source = blockSource(block as never, true);
    // Flags are owed (fo = kind; fa.. = operands) rather than computed: 1 is ADD, 2 SUB, 3 a logical operation.
    expect(source).not.toMatch(/fo = 1;/);
    expect(source).toMatch(/fo = 2; fa = l6; fb = h6; fc = l1; fd = h1;/);
    expect(source).not.toMatch(/fo = 3;/);
    expect(source).toMatch(/fo = 2; fa = l15; fb = h15; fc = 1; fd = 0;/);
    // JNE after the SUB asks its operands, not the flags.
    expect(source).toMatch(/if \(!\(fa === fc && fb === fd\)\)/);
  });

  it('memory above 4 GiB and in the upper half runs as the interpreter has it (the inline split of an address into page and offset)', () => {
    // PDPT entry 4 maps 4 GiB (0x100000000) and PML4 entry 256 maps 0xffff800000000000, both to the same 2 MiB page as 0.
    const memory = { [0x6020]: '0770000000000000', [0x1800]: '0760000000000000' };
    for (const base of ['0x100020000', '0xffff800000020000']) {
      const loop = assembleAt(
        [`movabs $${base}, %rdi`, 'mov $300, %rcx', 'top:', 'mov (%rdi), %rax', 'add %rcx, %rax', 'mov %rax, 8(%rdi)', 'mov %eax, 0x800(%rdi,%rcx,8)', 'addq $3, 24(%rdi)', 'mov 0x7f8(%rdi,%rcx,8), %ebx', 'xor %ebx, (%rdi)', 'dec %rcx', 'jnz top', 'hlt'].join('\n'),
      );
      const hex = Array.from(loop, (b) => b.toString(16).padStart(2, '0')).join('');
      const outcome = MODES.map((execution) => {
        const m = longMachine({ code: hex, memory });
        m.execution = execution;
        const result = m.run({ maxInstructions: 100_000 });
        return { result, regs: ['rax', 'rbx', 'rcx', 'rdi', 'rflags'].map((r) => m.getRegister(r)), data: Array.from(m.read(0x20000, 0x1800)) };
      });
      expect(outcome[0].result.reason, base).toBe('hlt');
      expect(outcome[1], base).toEqual(outcome[0]);
      expect(outcome[2], base).toEqual(outcome[0]);
      expect(outcome[0].data.some((b) => b !== 0), base).toBe(true);
    }
  });

  it('can be turned off: the interpreter builds no block', () => {
    const code = assembleAt(program(2));
    const m = machine(code, 'interpreter', 2);
    expect(m.run({ maxInstructions: 1_000_000 }).reason).toBe('hlt');
    expect(blocksOf(m)).toEqual([]);
    expect(() => {
      m.execution = 'jit' as Execution;
    }).toThrow(/execution 'jit': expected one of compiled, blocks, interpreter/);
  });
});

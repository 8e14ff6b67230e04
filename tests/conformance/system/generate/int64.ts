/**
 * Interrupt and exception delivery in IA-32e mode (SDM Vol. 3A §6.12, §6.14; Vol. 2A INT n).
 * Every handler is a HLT at its own address, so RIP after the stop names the vector; the frame
 * is in the dumped stack (RSP0 for CPL 3 → 0, the current stack at the same level, IST tops).
 */
import { SysType } from '../../../../emulator/layout/index.ts';
import type { Scenario } from '../scenario-types.ts';
import { A, istTop, Machine, XL } from './machine.ts';

function dumpIsts(m: Machine): void {
  for (let n = 1; n <= 7; n++) m.dumpStack(istTop(n), 0x40);
}

/** INT n with every gate property varied. */
function intGates(out: Scenario[], seed: { v: number }): void {
  const gateVariants: [string, (m: Machine, v: number) => void][] = [
    ['interrupt-dpl3', (m, v) => m.gate(v, { dpl: 3 })],
    ['trap-dpl3', (m, v) => m.gate(v, { dpl: 3, kind: 'trap' })],
    ['interrupt-dpl0', (m, v) => m.gate(v, { dpl: 0 })],
    ['not-present-dpl3', (m, v) => m.gate(v, { dpl: 3, present: false })],
    ['call-gate-type', (m, v) => m.gate(v, { dpl: 3, type: SysType.callGate })],
    ['16bit-int-type', (m, v) => m.gate(v, { dpl: 3, type: SysType.interruptGate16 })],
    ['task-gate-type', (m, v) => m.gate(v, { dpl: 3, type: SysType.taskGate })],
    ['ist', (m, v) => m.gate(v, { dpl: 3, ist: 1 + m.rng.int(7) })],
    ['target-null', (m, v) => m.gate(v, { dpl: 3, selector: 0 })],
    ['target-data', (m, v) => m.gate(v, { dpl: 3, selector: 0x10 })],
    ['target-np-code', (m, v) => m.gate(v, { dpl: 3, selector: XL.code64Dpl0NotPresent })],
    ['target-dpl3-code', (m, v) => m.gate(v, { dpl: 3, selector: 0x2b })],
    ['target-compat-code', (m, v) => m.gate(v, { dpl: 3, selector: XL.code32Dpl0 })],
    ['target-conforming-dpl0', (m, v) => m.gate(v, { dpl: 3, selector: XL.code64Dpl0Conforming })],
    ['target-ring1', (m, v) => m.gate(v, { dpl: 3, selector: XL.code64Dpl1 | 1 })],
    ['target-rpl3', (m, v) => m.gate(v, { dpl: 3, selector: 0x0b })],
    ['target-noncanonical', (m, v) => m.gate(v, { dpl: 3, offset: 0x0000900000023000n + BigInt(v) })],
    ['idt-limit', (m, v) => { m.gate(v, { dpl: 3 }); m.idtLimit = v * 16 + 7; }],
  ];
  for (const [label, apply] of gateVariants) {
    for (const user of [false, true]) {
      for (let k = 0; k < 4; k++) {
        const m = new Machine({ mode: 'long64', seed: seed.v++, user });
        const v = 0x20 + m.rng.int(0xd0);
        apply(m, v);
        const base = user ? A.UCODE : A.KCODE;
        m.code(base, `int $${v}\nhlt`);
        if (!user) m.regs.rsp -= BigInt(8 * m.rng.int(2));
        dumpIsts(m);
        out.push(m.build(`int64/int-n/${label}/${user ? 'cpl3' : 'cpl0'}-${seed.v}`));
      }
    }
  }
}

const PRIVILEGED: [string, string][] = [
  ['hlt', 'hlt'], ['cli', 'cli'], ['sti', 'sti'], ['mov-cr3', 'mov %rax, %cr3'], ['mov-from-cr0', 'mov %cr0, %rax'],
  ['lgdt', 'lgdt 0x50000'], ['lidt', 'lidt 0x50000'], ['ltr', 'ltr %ax'], ['lldt', 'lldt %ax'], ['wrmsr', 'wrmsr'],
  ['rdmsr', 'rdmsr'], ['invlpg', 'invlpg 0x50000'], ['in', 'in $0x80, %al'], ['out', 'out %al, $0x80'],
  ['clts', 'clts'], ['swapgs', 'swapgs'], ['wbinvd', 'wbinvd'], ['mov-dr7', 'mov %rax, %db7'], ['popf-if', 'pushfq\norq $0x200, (%rsp)\npopfq\npushfq\nhlt'],
];

const EXCEPTIONS: [string, string, boolean][] = [
  ['de-zero', 'xor %ecx, %ecx\ndiv %ecx', false],
  ['de-overflow', 'mov $1, %edx\nmov $1, %ecx\ndiv %ecx', false],
  ['de-idiv-min', 'mov $0x80000000, %eax\ncdq\nmov $-1, %ecx\nidiv %ecx', false],
  ['ud2', 'ud2', false],
  ['ud-lock', '.byte 0xf0, 0x90', false],
  ['ud-into', '.byte 0xce', false],
  ['ud-aaa', '.byte 0x37', false],
  ['bp-int3', 'int3', false],
  ['int1', '.byte 0xf1', false],
  ['int-cd03', 'int $3', false],
  ['ss-noncanonical-push', 'mov $0x0000800000000000, %rsp\npush %rax', false],
  ['gp-noncanonical-load', 'mov $0x0000800000000000, %rbx\nmov (%rbx), %rax', false],
  ['gp-noncanonical-jmp', 'mov $0x0000800000000000, %rbx\njmp *%rbx', false],
  ['ac-misaligned', 'pushfq\norl $0x40000, (%rsp)\npopfq\nmov $0x50001, %rbx\nmov (%rbx), %eax', true],
  ['ac-aligned', 'pushfq\norl $0x40000, (%rsp)\npopfq\nmov $0x50008, %rbx\nmov (%rbx), %eax\nmov %eax, %ecx\nhlt', true],
  ['nm-ts', 'fwait', false],
];

function exceptions(out: Scenario[], seed: { v: number }): void {
  for (const [label, src] of PRIVILEGED) {
    for (let k = 0; k < 8; k++) {
      const m = new Machine({ mode: 'long64', seed: seed.v++, user: true });
      // IOPL 3 in half of them: CLI/STI/IN/OUT then succeed (SDM Vol. 1 §18.2).
      if (k % 2 === 1) m.regs.rflags |= 0x3000n;
      m.regs.rax = BigInt(A.PT);
      m.regs.rcx = 0xc0000081n;
      m.code(A.UCODE, `${src}\nhlt`);
      if (k >= 6) m.gate(13, { ist: 2 });
      dumpIsts(m);
      out.push(m.build(`int64/privileged/${label}/iopl${k % 2 ? 3 : 0}-${seed.v}`));
    }
  }
  for (const [label, src, userOnly] of EXCEPTIONS) {
    for (const user of userOnly ? [true, true, true] : [false, true]) {
      for (let k = 0; k < 4; k++) {
        const m = new Machine({ mode: 'long64', seed: seed.v++, user });
        if (label === 'nm-ts') m.cr0 |= 0x8n | 0x2n;
        m.code(user ? A.UCODE : A.KCODE, `${src}\nhlt`);
        // Gate DPL matters for INT3/INT n/INTO, not for exceptions or INT1 (SDM Vol. 3A §6.12.1.1).
        if (k % 2 === 1) for (const v of [1, 3, 4]) m.gate(v, { dpl: 3 });
        if (k === 3) for (const v of [0, 6, 12, 13, 17]) m.gate(v, { ist: 3, dpl: 3 });
        m.mem.writeU64(0x50000, m.rng.u64()).writeU64(0x50008, m.rng.u64());
        dumpIsts(m);
        out.push(m.build(`int64/exception/${label}/${user ? 'cpl3' : 'cpl0'}-${seed.v}`));
      }
    }
  }
}

/** Stack alignment and frame shape at the same privilege level (SDM Vol. 3A §6.14.2). */
function alignment(out: Scenario[], seed: { v: number }): void {
  for (let k = 0; k < 96; k++) {
    const m = new Machine({ mode: 'long64', seed: seed.v++ });
    m.regs.rsp = BigInt(A.KSTACK - (k % 16) - 8 * m.rng.int(4));
    const v = m.rng.pick([0, 6, 13, 14, 0x40]);
    const lin = m.mapFaultPage(m.rng.int(16), 0x3ff000);
    const src = { 0: 'xor %ecx, %ecx\ndiv %ecx', 6: 'ud2', 13: 'mov $0x0000800000000000, %rbx\nmov (%rbx), %rax', 14: `mov ${lin}, %rax`, 0x40: 'int $0x40' }[v]!;
    if (v === 14) m.pt!.edit(lin, 1, (e) => e & ~1n);
    m.code(A.KCODE, `${src}\nhlt`);
    if (k % 3 === 0) m.gate(v, { ist: 1 + m.rng.int(7) });
    dumpIsts(m);
    m.dumpStack(A.KSTACK, 0x80);
    out.push(m.build(`int64/alignment/vector${v}/rsp-minus-${k % 16}-${seed.v}`));
  }
}

export function int64(): Scenario[] {
  const out: Scenario[] = [];
  const seed = { v: 20000 };
  intGates(out, seed);
  exceptions(out, seed);
  alignment(out, seed);
  return out;
}

/**
 * Far CALL/JMP through call gates from CPL 3 (SDM Vol. 2A CALL "CALL-GATE", Vol. 3A §5.8): the
 * inner-level call with the stack switch from the TSS (and, in protected mode, the parameter
 * copy and ring 1 through SS1:ESP1), RETF back out, a same-level call, and the failing checks:
 * gate DPL below CPL or RPL, gate not present, target not code, not present, of the wrong size,
 * JMP to an inner level, a 16-bit gate or a non-zero upper type in IA-32e mode.
 */
import { gate32, gate64, SysType } from '../../../../emulator/layout/index.ts';
import type { Scenario } from '../scenario-types.ts';
import { A, Machine, XL, XP, type Dpl } from './machine.ts';

const TARGET = A.KCODE + 0x200;
const FAR_PTR = 0x50000;

interface GateCase {
  label: string;
  /** Gate fields; selector defaults to the kernel code segment. */
  gate?: { selector?: number; dpl?: Dpl; present?: boolean; type?: number; paramCount?: number };
  rpl?: number;
  jmp?: boolean;
  /** What the target does: halt there (inner level) or return with RETF. */
  lret?: boolean;
  /** Edits after the gate is placed (index of the gate's first GDT slot). */
  edit?: (m: Machine, gateAt: number) => void;
}

const LONG_CASES: GateCase[] = [
  { label: 'inner-halt' },
  { label: 'inner-lret', lret: true },
  { label: 'same-level', gate: { selector: 0x2b } },
  { label: 'gate-dpl0', gate: { dpl: 0 } },
  { label: 'gate-dpl2-rpl3', gate: { dpl: 2 }, rpl: 3 },
  { label: 'gate-not-present', gate: { present: false } },
  { label: 'target-data', gate: { selector: 0x10 } },
  { label: 'target-not-present', gate: { selector: XL.code64Dpl0NotPresent } },
  { label: 'target-code32', gate: { selector: XL.code32Dpl0 } },
  { label: 'jmp-to-inner', jmp: true },
  { label: 'gate-type-16bit', gate: { type: SysType.callGate16 } },
  { label: 'upper-type-nonzero', edit: (m, at) => { const g = m.gdt[at] as [bigint, bigint]; m.gdt[at] = [g[0], g[1] | (0xcn << 40n)]; } },
];

const PROT_CASES: GateCase[] = [
  { label: 'inner-halt-params0' },
  { label: 'inner-halt-params3', gate: { paramCount: 3 } },
  { label: 'inner-lret-params2', gate: { paramCount: 2 }, lret: true },
  { label: 'ring1-params1', gate: { selector: XP.codeDpl1 | 1, paramCount: 1 } },
  { label: 'same-level', gate: { selector: 0x1b } },
  { label: 'gate-dpl0', gate: { dpl: 0 } },
  { label: 'gate-not-present', gate: { present: false } },
  { label: 'target-data', gate: { selector: 0x10 } },
  { label: 'target-not-present', gate: { selector: XP.codeDpl0NotPresent } },
  { label: 'jmp-to-inner', jmp: true },
  { label: 'ss0-null', edit: (m) => m.tss.set([0, 0], 8) },
  // A 16-bit gate takes only the low 16 bits of its offset: IP 0x0200, where a HLT waits.
  { label: '16bit-gate', gate: { type: SysType.callGate16, paramCount: 1 }, edit: (m) => m.mem.writeU8(TARGET & 0xffff, 0xf4) },
];

function gdtBytes(m: Machine): number {
  return m.gdt.reduce<number>((n, d) => n + (Array.isArray(d) ? 16 : 8), 0);
}

export function callGates(): Scenario[] {
  const out: Scenario[] = [];
  let seed = 103000;
  for (const [mode, cases] of [['long64', LONG_CASES], ['protected32', PROT_CASES]] as const) {
    const long = mode === 'long64';
    for (const c of cases) {
      for (let k = 0; k < 6; k++) {
        const m = new Machine({ mode, seed: seed++, user: true });
        const sel = gdtBytes(m) | (c.rpl ?? 3);
        const at = m.gdt.length;
        const f = { offset: TARGET, selector: c.gate?.selector ?? 0x08, kind: 'call' as const, dpl: c.gate?.dpl ?? 3, present: c.gate?.present, type: c.gate?.type };
        m.gdt.push(long ? gate64(f) : gate32({ ...f, paramCount: c.gate?.paramCount ?? 0 }));
        c.edit?.(m, at);
        const params = c.gate?.paramCount ?? 0;
        const regs = ['rax', 'rbx', 'rcx'] as const;
        const pushes = long ? '' : regs.slice(0, params).map((r) => `push %e${r.slice(1)}`).join('\n');
        m.mem.writeU32(FAR_PTR, m.rng.u32()).writeU16(FAR_PTR + 4, sel);
        const insn = c.jmp ? `ljmp *${FAR_PTR}` : `lcall *${FAR_PTR}`;
        m.code(A.UCODE, `${pushes}\n${insn}\nhlt`);
        const ret = long ? 'lretq' : `lret $${params * 4}`;
        m.code(TARGET, c.lret ? `${long ? 'mov %rsp, %rdx' : 'mov %esp, %edx'}\n${ret}` : 'hlt');
        m.dumpStack(A.USTACK, 0x40).dumpStack(A.RSP0 - 0x2000, 0x40);
        out.push(m.build(`callgate/${long ? 'long64' : 'prot32'}/${c.label}/${seed}`));
      }
    }
  }
  return out;
}

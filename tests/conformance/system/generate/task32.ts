/**
 * 32-bit hardware task switching (SDM Vol. 3A §7.3, §7.4; Vol. 2A JMP, CALL, IRET, INT n): far
 * JMP and CALL to a TSS descriptor and through a task gate, INT n through a task gate, IRET with
 * NT = 1 back to the previous task; the busy bits, the back link, NT, CR0.TS and the state saved
 * into the old TSS; and the failing checks (busy target, IRET to a non-busy task, a TSS limit
 * below 0x67, a TSS descriptor not present).
 */
import { gate32, tss32, tss32Descriptor } from '../../../../emulator/layout/index.ts';
import type { Scenario } from '../scenario-types.ts';
import { A, Machine, XP } from './machine.ts';

const TSS2 = A.TSS + 0x100;
const TASK2_EIP = A.KCODE + 0x400;
const TASK2_ESP = A.KSTACK - 0x800;
const CUR = 5; // GDT index of the current task's TSS (selector 0x28)
const NEXT = XP.tss2 >> 3;

interface TaskCase {
  label: string;
  /** Code of the first task; `gate` is the task gate's selector (appended to the GDT). */
  code: (gate: number) => string;
  /** Code of the second task. */
  task2?: string;
  edit?: (m: Machine) => void;
}

const CASES: TaskCase[] = [
  { label: 'jmp-tss', code: () => `ljmp $${XP.tss2}, $0\nhlt` },
  { label: 'call-tss', code: () => `lcall $${XP.tss2}, $0\nhlt` },
  { label: 'call-tss-iret-back', code: () => `lcall $${XP.tss2}, $0\nhlt`, task2: 'pushf\npop %eax\niret' },
  { label: 'jmp-task-gate', code: (g) => `ljmp $${g}, $0\nhlt` },
  { label: 'call-task-gate-iret-back', code: (g) => `lcall $${g}, $0\nhlt`, task2: 'iret' },
  { label: 'int-task-gate-iret-back', code: () => 'int $0x40\nhlt', task2: 'mov %cr0, %ebx\niret', edit: (m) => m.gate(0x40, { kind: 'task', selector: XP.tss2, dpl: 3 }) },
  { label: 'ud-task-gate', code: () => 'ud2\nhlt', edit: (m) => m.gate(6, { kind: 'task', selector: XP.tss2 }) },
  { label: 'jmp-busy-tss', code: () => `ljmp $${XP.tss2}, $0\nhlt`, edit: (m) => { m.gdt[NEXT] = tss32Descriptor(TSS2, { busy: true }); } },
  { label: 'jmp-own-tss', code: () => 'ljmp $0x28, $0\nhlt' },
  { label: 'iret-nt-to-available-tss', code: () => 'pushf\norl $0x4000, (%esp)\npopf\niret', edit: (m) => m.tss.set([XP.tss2, 0], 0) },
  { label: 'tss-limit-short', code: () => `ljmp $${XP.tss2}, $0\nhlt`, edit: (m) => { m.gdt[NEXT] = tss32Descriptor(TSS2, { limit: 0x60 }); } },
  { label: 'tss-not-present', code: () => `lcall $${XP.tss2}, $0\nhlt`, edit: (m) => { m.gdt[NEXT] = tss32Descriptor(TSS2, { present: false }); } },
];

export function taskSwitches(): Scenario[] {
  const out: Scenario[] = [];
  let seed = 104000;
  for (const c of CASES) {
    for (let k = 0; k < 5; k++) {
      const m = new Machine({ mode: 'protected32', seed: seed++ });
      m.gdt[CUR] = tss32Descriptor(A.TSS, { busy: true });
      const gate = m.gdt.length * 8;
      m.gdt.push(gate32({ kind: 'task', selector: XP.tss2, dpl: 0 }));
      const r = m.rng;
      m.mem.write(TSS2, tss32({
        eip: TASK2_EIP, eflags: 0x2 | (r.bool() ? 0x1 : 0) | (r.bool() ? 0x80 : 0) | (r.bool() ? 0x800 : 0),
        eax: r.u32(), ecx: r.u32(), edx: r.u32(), ebx: r.u32(), esp: TASK2_ESP, ebp: r.u32(), esi: r.u32(), edi: r.u32(),
        es: 0x10, cs: 0x08, ss: 0x10, ds: 0x10, fs: 0, gs: 0, ldt: 0,
      }));
      c.edit?.(m);
      m.code(A.KCODE, c.code(gate));
      m.code(TASK2_EIP, c.task2 ?? 'hlt');
      m.dump(A.GDT + 0x28, 8).dump(A.GDT + XP.tss2, 8).dump(A.TSS, 0x68).dump(TSS2, 0x68).dumpStack(TASK2_ESP, 0x20);
      out.push(m.build(`task32/${c.label}/${seed}`));
    }
  }
  return out;
}

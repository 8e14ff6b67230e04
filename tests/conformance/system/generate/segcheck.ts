/**
 * LAR, LSL, VERR and VERW over a table of selectors (SDM Vol. 2A LAR, LSL; Vol. 2B VERR/VERW):
 * null, each kind of code and data descriptor (DPL 0–3, conforming, not present, read-only,
 * execute-only, expand-down), system descriptors (TSS, LDT, call and interrupt gates, the upper
 * half of a 16-byte descriptor), beyond the GDT limit and in a null LDT; at CPL 0 and 3 with an
 * RPL drawn per scenario. Each ZF is stored with SETZ, and LAR/LSL write 32-bit destinations
 * whose upper halves (in 64-bit mode) start random. kvm-pvm gives no answer at CPL 3 (see
 * oracles/kvm.ts) and fails on these instructions at CPL 0, so QEMU and Bochs decide.
 */
import { gate32, gate64 } from '../../../../emulator/layout/index.ts';
import type { Scenario } from '../scenario-types.ts';
import { A, Machine, XL, XP } from './machine.ts';

const FLAGS_AT = 0x50100;

/** Selector index values (RPL 0) and their labels; the gates are appended to the GDT below. */
function selectors(long: boolean, callGate: number, intGate: number): [string, number][] {
  const common: [string, number][] = [
    ['null', 0x00], ['kernel-code', 0x08], ['kernel-data', 0x10],
    ['call-gate', callGate], ['interrupt-gate', intGate], ['beyond-limit', 0x3f8], ['null-ldt', 0x0c],
  ];
  if (long) {
    return [...common,
      ['code32-dpl3', 0x18], ['user-data', 0x20], ['user-code64', 0x28], ['tss64-busy', 0x30], ['tss64-upper-half', 0x38],
      ['code-dpl3-np', XL.code64Dpl3NotPresent], ['conforming-dpl0', XL.code64Dpl0Conforming], ['conforming-dpl3', XL.code64Dpl3Conforming],
      ['data-dpl3-np', XL.dataDpl3NotPresent], ['data-dpl3-ro', XL.dataDpl3ReadOnly], ['data-dpl0-ro', XL.dataDpl0ReadOnly],
      ['code-dpl1', XL.code64Dpl1], ['data-dpl2', XL.dataDpl2], ['ldt', XL.ldt], ['code-dpl3-exec-only', XL.code64Dpl3ExecOnly],
      ['data-dpl0-expand-down', XL.dataDpl0ExpandDown], ['code-dpl0-exec-only', XL.code64Dpl0ExecOnly],
    ];
  }
  return [...common,
    ['user-code', 0x18], ['user-data', 0x20], ['tss32-busy', 0x28], ['tss32-available', XP.tss2],
    ['code-dpl3-np', XP.codeDpl3NotPresent], ['conforming-dpl0', XP.codeDpl0Conforming], ['conforming-dpl3', XP.codeDpl3Conforming],
    ['data-dpl3-np', XP.dataDpl3NotPresent], ['data-dpl3-ro', XP.dataDpl3ReadOnly], ['data-dpl0-ro', XP.dataDpl0ReadOnly],
    ['code-dpl1', XP.codeDpl1], ['data-dpl2', XP.dataDpl2], ['code-dpl3-byte-limit', XP.codeDpl3Limited], ['ldt', XP.ldt],
    ['code-dpl3-exec-only', XP.codeDpl3ExecOnly], ['data-dpl3-byte-limit', XP.dataDpl3Limited],
  ];
}

const gdtBytes = (m: Machine) => m.gdt.reduce<number>((n, d) => n + (Array.isArray(d) ? 16 : 8), 0);

export function segmentChecks(): Scenario[] {
  const out: Scenario[] = [];
  let seed = 97000;
  for (const mode of ['long64', 'protected32'] as const) {
    const long = mode === 'long64';
    for (const user of [false, true]) {
      for (let round = 0; round < 2; round++) {
        const callGate = gdtBytes(new Machine({ mode, seed: 0 }));
        const intGate = callGate + (long ? 16 : 8);
        for (const [label, index] of selectors(long, callGate, intGate)) {
          const m = new Machine({ mode, seed: seed++, user });
          const target = A.KCODE + 0x200;
          m.gdt.push(long ? gate64({ offset: target, selector: 0x08, kind: 'call', dpl: 3 }) : gate32({ offset: target, selector: 0x08, kind: 'call', dpl: 3 }));
          m.gdt.push(long ? gate64({ offset: target, selector: 0x08, dpl: 3 }) : gate32({ offset: target, selector: 0x08, dpl: 3 }));
          const rpl = round === 0 ? (user ? 3 : 0) : m.rng.int(4);
          const sel = index | rpl;
          const code = [
            `mov $${sel}, %ecx`,
            'lar %cx, %eax', `setz ${FLAGS_AT}`,
            // Bits 19:16 of LAR's 32-bit result are undefined ("masked by 00FxFF00H"); the AND keeps RAX's upper half.
            long ? 'and $-0xf0001, %rax' : 'and $-0xf0001, %eax',
            'lsl %cx, %edx', `setz ${FLAGS_AT + 1}`,
            'verr %cx', `setz ${FLAGS_AT + 2}`,
            'verw %cx', `setz ${FLAGS_AT + 3}`,
            'hlt',
          ].join('\n');
          m.code(user ? A.UCODE : A.KCODE, code);
          m.mem.write(FLAGS_AT, Uint8Array.of(0xaa, 0xaa, 0xaa, 0xaa));
          m.dump(FLAGS_AT, 8);
          out.push(m.build(`segcheck/${long ? 'long64' : 'prot32'}/${label}/${user ? 'cpl3' : 'cpl0'}-rpl${rpl}-${seed}`));
        }
      }
    }
  }
  return out;
}

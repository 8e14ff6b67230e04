/**
 * A small long-mode kernel environment for debugger tests: a GDT (kernel and user segments, a
 * TSS), a TSS with RSP0 and IST1, and an IDT whose gates point at labels of the assembled source.
 * The source loads GDTR, IDTR and TR itself (`lgdt gdtr`, `lidt idtr`, `ltr`), so those loads are
 * events too. Exceptions are delivered through the IDT.
 */
import { assemble } from '../../../emulator/asm/index.ts';
import { Debugger, type DebuggerOptions } from '../../../emulator/debug/debugger.ts';
import { SourceMap } from '../../../emulator/debug/source-map.ts';
import { Machine } from '../../../emulator/index.ts';
import { concatBytes, descriptorBytes, gate32, gate64, longModeGdt, protectedModeGdt, tss32, tss64 } from '../../../emulator/layout/index.ts';

export const GDT = 0x1000;
export const TSS = 0x2000;
export const IDT = 0x3000;
export const RSP0 = 0x70000;
export const IST1 = 0x60000;
export const USER_STACK = 0x50000;
export const KERNEL_STACK = 0x80000;
const CODE = 0x10000;

/** Appended to every kernel source: the descriptor-table pointers its prologue loads. */
const POINTERS = `
    .data
    .balign 16
gdtr: .word ${8 * 8 - 1}
      .quad ${GDT}
    .balign 16
idtr: .word ${256 * 16 - 1}
      .quad ${IDT}
`;

export const PROLOGUE = `
    lgdt gdtr(%rip)
    lidt idtr(%rip)
    mov $0x30, %ax
    ltr %ax
`;

export interface Gate {
  vector: number;
  label: string;
  dpl?: 0 | 3;
  ist?: number;
}

export function kernel(source: string, gates: Gate[], options: DebuggerOptions = {}) {
  const result = assemble(source + POINTERS, { bits: 64, sectionBases: { '.text': CODE, '.data': CODE + 0x8000 } });
  if (!result.ok) throw new Error(result.diagnostics.map((d) => `${d.line}:${d.column} ${d.message}`).join('\n'));
  const address = (name: string) => {
    const s = result.symbols.find((x) => x.name === name);
    if (!s) throw new Error(`no symbol ${name}`);
    return s.address;
  };
  const machine = new Machine({ ramSize: 1024 * 1024 });
  machine.deliverExceptions = true;
  for (const s of result.sections) machine.load(s.base, s.bytes);
  machine.load(GDT, longModeGdt(TSS));
  machine.load(TSS, tss64({ rsp: [RSP0], ist: [IST1] }));
  const idt = new Uint8Array(256 * 16);
  for (const g of gates) {
    idt.set(concatBytes(descriptorBytes(gate64({ offset: address(g.label), selector: 0x08, dpl: g.dpl ?? 0, ist: g.ist ?? 0 }))), g.vector * 16);
  }
  machine.load(IDT, idt);
  machine.setRegister('rsp', BigInt(KERNEL_STACK));
  machine.setRegister('rip', BigInt(CODE));
  const sources = SourceMap.fromAssembly(result);
  const dbg = new Debugger(machine, { sources, ...options });
  return { machine, dbg, result, sources, address };
}

/** Kernel code that enters ring 3 at `label` with IRETQ (IF set, user stack at USER_STACK). */
export const toUser = (label: string, rflags = '0x202', cs = '0x2b', ss = '0x23') => `
    pushq $${ss}
    pushq $${USER_STACK}
    pushq $${rflags}
    pushq $${cs}
    lea ${label}(%rip), %rax
    push %rax
    iretq
`;

/** The same for 32-bit protected mode: GDT (null, code/data DPL 0, code/data DPL 3, TSS at 0x28), a 32-bit TSS with SS0:ESP0, 8-byte gates. */
export const PROLOGUE32 = `
    lgdt gdtr32
    lidt idtr32
    mov $0x28, %ax
    ltr %ax
`;

const POINTERS32 = `
    .data
    .balign 16
gdtr32: .word ${6 * 8 - 1}
        .long ${GDT}
    .balign 16
idtr32: .word ${256 * 8 - 1}
        .long ${IDT}
`;

export function kernel32(source: string, gates: Gate[], options: DebuggerOptions = {}) {
  const result = assemble(source + POINTERS32, { bits: 32, sectionBases: { '.text': CODE, '.data': CODE + 0x8000 } });
  if (!result.ok) throw new Error(result.diagnostics.map((d) => `${d.line}:${d.column} ${d.message}`).join('\n'));
  const address = (name: string) => {
    const s = result.symbols.find((x) => x.name === name);
    if (!s) throw new Error(`no symbol ${name}`);
    return s.address;
  };
  const machine = new Machine({ ramSize: 1024 * 1024, mode: 'protected32' });
  machine.deliverExceptions = true;
  for (const s of result.sections) machine.load(s.base, s.bytes);
  machine.load(GDT, protectedModeGdt(TSS));
  machine.load(TSS, tss32({ ss0: 0x10, esp0: RSP0 }));
  const idt = new Uint8Array(256 * 8);
  for (const g of gates) idt.set(descriptorBytes(gate32({ offset: address(g.label), selector: 0x08, dpl: g.dpl ?? 0 })), g.vector * 8);
  machine.load(IDT, idt);
  machine.setRegister('rsp', BigInt(KERNEL_STACK));
  machine.setRegister('rip', BigInt(CODE));
  const sources = SourceMap.fromAssembly(result);
  const dbg = new Debugger(machine, { sources, ...options });
  return { machine, dbg, result, sources, address };
}

/** 32-bit kernel code that enters ring 3 at `label` with IRETD. */
export const toUser32 = (label: string, eflags = '0x202', cs = '0x1b', ss = '0x23') => `
    pushl $${ss}
    pushl $${USER_STACK}
    pushl $${eflags}
    pushl $${cs}
    pushl $${label}
    iretl
`;

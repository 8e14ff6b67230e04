/** Task-state segment images (SDM Vol. 3A §7.7 64-bit TSS, §7.2.1 32-bit TSS). */
import { leBytes, type Int } from './bytes.ts';

const TSS_SIZE = 0x68;

export interface Tss64Fields {
  rsp?: [Int?, Int?, Int?];
  /** IST1..IST7 (index 0 is IST1). */
  ist?: Int[];
  /** I/O permission bitmap offset from the TSS base; default: just past the TSS (no bitmap). */
  iopbOffset?: number;
}

export function tss64(f: Tss64Fields = {}): Uint8Array {
  const out = new Uint8Array(TSS_SIZE);
  (f.rsp ?? []).forEach((v, i) => out.set(leBytes(v ?? 0, 8), 4 + i * 8));
  (f.ist ?? []).forEach((v, i) => {
    if (i > 6) throw new RangeError('TSS64 has only IST1..IST7');
    out.set(leBytes(v, 8), 0x24 + i * 8);
  });
  out.set(leBytes(f.iopbOffset ?? TSS_SIZE, 2), 0x66);
  return out;
}

export interface Tss32Fields {
  link?: number;
  ss0?: number; esp0?: Int;
  ss1?: number; esp1?: Int;
  ss2?: number; esp2?: Int;
  cr3?: Int; eip?: Int; eflags?: Int;
  eax?: Int; ecx?: Int; edx?: Int; ebx?: Int; esp?: Int; ebp?: Int; esi?: Int; edi?: Int;
  es?: number; cs?: number; ss?: number; ds?: number; fs?: number; gs?: number; ldt?: number;
  debugTrap?: boolean;
  iopbOffset?: number;
}

const tss32Layout: [keyof Tss32Fields, number, number][] = [
  ['link', 0x00, 2], ['esp0', 0x04, 4], ['ss0', 0x08, 2], ['esp1', 0x0c, 4], ['ss1', 0x10, 2],
  ['esp2', 0x14, 4], ['ss2', 0x18, 2], ['cr3', 0x1c, 4], ['eip', 0x20, 4], ['eflags', 0x24, 4],
  ['eax', 0x28, 4], ['ecx', 0x2c, 4], ['edx', 0x30, 4], ['ebx', 0x34, 4], ['esp', 0x38, 4],
  ['ebp', 0x3c, 4], ['esi', 0x40, 4], ['edi', 0x44, 4], ['es', 0x48, 2], ['cs', 0x4c, 2],
  ['ss', 0x50, 2], ['ds', 0x54, 2], ['fs', 0x58, 2], ['gs', 0x5c, 2], ['ldt', 0x60, 2],
];

export function tss32(f: Tss32Fields = {}): Uint8Array {
  const out = new Uint8Array(TSS_SIZE);
  for (const [key, off, size] of tss32Layout) {
    const v = f[key];
    if (v !== undefined && typeof v !== 'boolean') out.set(leBytes(v, size), off);
  }
  if (f.debugTrap) out[0x64] = 1;
  out.set(leBytes(f.iopbOffset ?? TSS_SIZE, 2), 0x66);
  return out;
}

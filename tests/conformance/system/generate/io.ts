/**
 * IN/OUT permission: IOPL, then the TSS I/O permission bitmap (SDM Vol. 1 §19.5.1, §19.5.2), in
 * IA-32e mode and in protected mode without paging. Only whether the access faults is compared:
 * ports 0x80..0x8f are used (POST and DMA page registers, harmless on every oracle), and a read
 * value is overwritten right after the IN, since platforms differ in what those ports return.
 * A permitted access then sets a marker register before its HLT (which at CPL 3 raises #GP too,
 * from a different RIP).
 */
import { tss32Descriptor, tss64Descriptor } from '../../../../emulator/layout/index.ts';
import type { Scenario } from '../scenario-types.ts';
import { A, Machine } from './machine.ts';

/** The bitmap starts right after the 0x68-byte TSS and covers ports 0..0xff, then a 0xff byte. */
const MAP_BASE = 0x68;
const MAP_BYTES = 0x20;
const FULL_LIMIT = MAP_BASE + MAP_BYTES;

type Access = { insn: string; size: 1 | 2 | 4; read: boolean; viaDx: boolean };
const ACCESSES: Access[] = [
  { insn: 'outb %al', size: 1, read: false, viaDx: false },
  { insn: 'outw %ax', size: 2, read: false, viaDx: true },
  { insn: 'outl %eax', size: 4, read: false, viaDx: true },
  { insn: 'inb', size: 1, read: true, viaDx: false },
  { insn: 'inw', size: 2, read: true, viaDx: true },
  { insn: 'inl', size: 4, read: true, viaDx: true },
];

interface IoCase {
  label: string;
  user: boolean;
  iopl: number;
  /** Bitmap bytes (index = port >> 3) or undefined for a TSS without a bitmap (base beyond limit). */
  bitmap?: (port: number, size: number, m: Machine) => Uint8Array;
  limit?: (port: number) => number;
  mapBase?: number;
}

const clear = () => new Uint8Array(MAP_BYTES);
const denyAll = () => new Uint8Array(MAP_BYTES).fill(0xff);
function denyBit(bit: (port: number, size: number, m: Machine) => number) {
  return (port: number, size: number, m: Machine) => {
    const b = clear();
    const p = bit(port, size, m);
    b[p >> 3] |= 1 << (p & 7);
    return b;
  };
}
/** Every bit set except those of the accessed bytes. */
const allowOnly = (port: number, size: number) => {
  const b = denyAll();
  for (let p = port; p < port + size; p++) b[p >> 3] &= ~(1 << (p & 7));
  return b;
};

const CASES: IoCase[] = [
  { label: 'cpl0-iopl0-no-bitmap', user: false, iopl: 0 },
  { label: 'cpl3-iopl3-no-bitmap', user: true, iopl: 3 },
  { label: 'cpl3-iopl3-all-denied', user: true, iopl: 3, bitmap: denyAll },
  { label: 'cpl3-iopl0-no-bitmap', user: true, iopl: 0 },
  { label: 'cpl3-iopl2-no-bitmap', user: true, iopl: 2 },
  { label: 'cpl3-iopl0-allowed', user: true, iopl: 0, bitmap: clear },
  { label: 'cpl3-iopl1-allowed-only-these', user: true, iopl: 1, bitmap: allowOnly },
  { label: 'cpl3-iopl0-denied-first-byte', user: true, iopl: 0, bitmap: denyBit((p) => p) },
  { label: 'cpl3-iopl0-denied-last-byte', user: true, iopl: 0, bitmap: denyBit((p, s) => p + s - 1) },
  { label: 'cpl3-iopl0-denied-neighbour-below', user: true, iopl: 0, bitmap: denyBit((p) => p - 1) },
  { label: 'cpl3-iopl0-denied-neighbour-above', user: true, iopl: 0, bitmap: denyBit((p, s) => p + s) },
  { label: 'cpl3-iopl0-map-base-beyond-limit', user: true, iopl: 0, bitmap: clear, mapBase: 0xdfff },
  // The CPU reads two bitmap bytes (SDM Vol. 1 §19.5.2): both must lie within the limit.
  { label: 'cpl3-iopl0-second-byte-beyond-limit', user: true, iopl: 0, bitmap: clear, limit: (p) => MAP_BASE + (p >> 3) },
  { label: 'cpl3-iopl0-both-bytes-within-limit', user: true, iopl: 0, bitmap: clear, limit: (p) => MAP_BASE + (p >> 3) + 1 },
];

export function ioPermission(): Scenario[] {
  const out: Scenario[] = [];
  let seed = 95000;
  for (const mode of ['long64', 'protected32'] as const) {
    for (const c of CASES) {
      for (let k = 0; k < 6; k++) {
        const m = new Machine({ mode, seed: seed++, user: c.user });
        const acc = ACCESSES[k % ACCESSES.length];
        // Ports 0x81..0x8b, so that a neighbour and a multi-byte access stay within 0x80..0x8f;
        // accesses of 2 and 4 bytes are placed so that some straddle a bitmap byte (0x87/0x88).
        const port = acc.size === 1 ? 0x81 + m.rng.int(0xb) : 0x85 + m.rng.int(3);
        m.regs.rflags = (m.regs.rflags & ~0x3000n) | (BigInt(c.iopl) << 12n);
        m.regs.rdx = (m.regs.rdx & ~0xffffn) | BigInt(port);
        const limit = c.limit?.(port) ?? (c.bitmap ? FULL_LIMIT : 0x67);
        if (c.bitmap) {
          const bytes = c.bitmap(port, acc.size, m);
          m.mem.write(A.TSS + MAP_BASE, Uint8Array.of(...bytes, 0xff));
          m.tss.set([(c.mapBase ?? MAP_BASE) & 0xff, (c.mapBase ?? MAP_BASE) >> 8], 0x66);
        }
        if (mode === 'long64') m.gdt[6] = tss64Descriptor(A.TSS, { limit });
        else m.gdt[5] = tss32Descriptor(A.TSS, { limit });
        const operand = acc.viaDx ? '(%dx)' : `$${port}`;
        const insn = acc.read ? `${acc.insn} ${operand}, ${acc.insn === 'inb' ? '%al' : acc.insn === 'inw' ? '%ax' : '%eax'}` : `${acc.insn}, ${operand}`;
        const marker = mode === 'long64' ? 'mov $0x600d, %r15d' : 'mov $0x600d, %ebp';
        const wipe = acc.read ? 'mov $0, %eax\n' : '';
        m.code(c.user ? A.UCODE : A.KCODE, `${insn}\n${wipe}${marker}\nhlt`);
        m.dump(A.TSS + 0x60, 0x30);
        out.push(m.build(`io/${mode === 'long64' ? 'long64' : 'prot32'}/${c.label}/${acc.insn.split(' ')[0]}-${seed}`));
      }
    }
  }
  return out;
}

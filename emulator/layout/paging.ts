/**
 * Page-table builders: 4-level IA-32e, PAE and 32-bit two-level paging
 * (SDM Vol. 3A §4.3 32-bit paging, §4.4 PAE paging, §4.5 4-level paging).
 */
import { big, hex, type Int } from './bytes.ts';
import type { MemoryImage } from './memory-image.ts';

export const PTE = {
  P: 1n, RW: 2n, US: 4n, PWT: 8n, PCD: 0x10n, A: 0x20n, D: 0x40n, PS: 0x80n, G: 0x100n, NX: 1n << 63n,
} as const;

export type PagingMode = 'ia32e' | 'pae' | 'legacy32';
/** 4 = PML4, 3 = PDPT, 2 = PD, 1 = PT. */
export type Level = 1 | 2 | 3 | 4;

export interface MapFlags {
  user?: boolean;
  writable?: boolean;
  /** Execute-disable (IA-32e and PAE only; needs EFER.NXE). */
  nx?: boolean;
  global?: boolean;
  /** Leaf size: 4 KiB (default), 2 MiB (IA-32e/PAE), 4 MiB (32-bit with CR4.PSE), 1 GiB (IA-32e). */
  pageSize?: '4k' | '2m' | '4m' | '1g';
}

interface LevelShape { level: Level; shift: number; bits: number }

const shapes: Record<PagingMode, { entrySize: 4 | 8; levels: LevelShape[] }> = {
  ia32e: { entrySize: 8, levels: [{ level: 4, shift: 39, bits: 9 }, { level: 3, shift: 30, bits: 9 }, { level: 2, shift: 21, bits: 9 }, { level: 1, shift: 12, bits: 9 }] },
  pae: { entrySize: 8, levels: [{ level: 3, shift: 30, bits: 2 }, { level: 2, shift: 21, bits: 9 }, { level: 1, shift: 12, bits: 9 }] },
  legacy32: { entrySize: 4, levels: [{ level: 2, shift: 22, bits: 10 }, { level: 1, shift: 12, bits: 10 }] },
};

const leafLevel: Record<NonNullable<MapFlags['pageSize']>, Level> = { '4k': 1, '2m': 2, '4m': 2, '1g': 3 };

/** Hands out zeroed, 4 KiB-aligned physical pages for paging structures. */
export class PageAllocator {
  constructor(private nextAddr: number, private readonly end: number) {
    if (nextAddr % 4096 !== 0) throw new RangeError(`page allocator start ${hex(nextAddr)} is not 4 KiB aligned`);
  }
  next(): number {
    if (this.nextAddr + 4096 > this.end) throw new RangeError(`page allocator exhausted at ${hex(this.end)}`);
    const a = this.nextAddr;
    this.nextAddr += 4096;
    return a;
  }
}

export interface EntryRef { addr: number; value: bigint }

export class PageTables {
  readonly root: number;
  private readonly shape;

  constructor(private readonly mem: MemoryImage, readonly mode: PagingMode, private readonly alloc: PageAllocator) {
    this.shape = shapes[mode];
    this.root = alloc.next();
  }

  /** Maps one page of the given size; intermediate entries are made present, writable and user. */
  map(linear: Int, phys: Int, f: MapFlags = {}): this {
    const size = f.pageSize ?? '4k';
    const leaf = leafLevel[size];
    if (size === '4m' && this.mode !== 'legacy32') throw new Error('4 MiB pages exist only in 32-bit paging');
    if (size === '2m' && this.mode === 'legacy32') throw new Error('2 MiB pages do not exist in 32-bit paging');
    if (size === '1g' && this.mode !== 'ia32e') throw new Error('1 GiB pages exist only in IA-32e paging');
    if (f.nx && this.mode === 'legacy32') throw new Error('32-bit paging has no execute-disable bit');
    const lin = big(linear);
    const p = big(phys);
    let table = this.root;
    for (const s of this.shape.levels) {
      const addr = this.entryAddr(table, lin, s);
      if (s.level === leaf) {
        let v = p | PTE.P;
        if (f.writable ?? true) v |= PTE.RW;
        if (f.user) v |= PTE.US;
        if (f.nx) v |= PTE.NX;
        if (f.global) v |= PTE.G;
        if (leaf !== 1) v |= PTE.PS;
        this.write(addr, v);
        return this;
      }
      let v = this.read(addr);
      if ((v & PTE.P) === 0n) {
        const next = this.alloc.next();
        v = BigInt(next) | PTE.P | (this.mode === 'pae' && s.level === 3 ? 0n : PTE.RW | PTE.US);
        this.write(addr, v);
      }
      table = Number(v & 0xffffffffff000n);
    }
    throw new Error('unreachable: no leaf level');
  }

  /** Identity-maps [start, end) with pages of the given size. */
  identityMap(start: number, end: number, f: MapFlags = {}): this {
    const step = { '4k': 0x1000, '2m': 0x200000, '4m': 0x400000, '1g': 0x40000000 }[f.pageSize ?? '4k'];
    if (start % step !== 0) throw new RangeError(`identity map start ${hex(start)} is not aligned to the page size`);
    for (let a = start; a < end; a += step) this.map(a, a, f);
    return this;
  }

  /** The entry at `level` on the walk of `linear`, or undefined where the walk stops earlier. */
  entry(linear: Int, level: Level): EntryRef | undefined {
    const lin = big(linear);
    let table = this.root;
    for (const s of this.shape.levels) {
      const addr = this.entryAddr(table, lin, s);
      const value = this.read(addr);
      if (s.level === level) return { addr, value };
      if ((value & PTE.P) === 0n || (value & PTE.PS) !== 0n) return undefined;
      table = Number(value & 0xffffffffff000n);
    }
    return undefined;
  }

  /** Rewrites one entry of the walk of `linear`; returns its physical address. */
  edit(linear: Int, level: Level, fn: (v: bigint) => bigint): number {
    const e = this.entry(linear, level);
    if (!e) throw new Error(`no level-${level} entry on the walk of ${hex(linear)}`);
    this.write(e.addr, fn(e.value));
    return e.addr;
  }

  private entryAddr(table: number, lin: bigint, s: LevelShape): number {
    const index = Number((lin >> BigInt(s.shift)) & ((1n << BigInt(s.bits)) - 1n));
    return table + index * this.shape.entrySize;
  }

  private read(addr: number): bigint {
    return this.shape.entrySize === 8 ? this.mem.readU64(addr) : BigInt(this.mem.readU32(addr));
  }

  private write(addr: number, v: bigint): void {
    if (this.shape.entrySize === 8) this.mem.writeU64(addr, v);
    else this.mem.writeU32(addr, v);
  }
}

/** A sparse physical memory image that emits scenario-v1 `memory` entries. */
import { leBytes, readLe, toHex, type Int } from './bytes.ts';

export interface MemoryEntry {
  addr: string;
  hex: string;
}

const PAGE = 4096;
/** Runs of zero bytes at least this long split an emitted entry. */
const ZERO_GAP = 32;

export class MemoryImage {
  private readonly pages = new Map<number, Uint8Array>();

  constructor(readonly size: number = 0x400000) {}

  write(addr: number, bytes: Uint8Array): this {
    if (addr < 0 || addr + bytes.length > this.size) {
      throw new RangeError(`memory write of ${bytes.length} bytes at 0x${addr.toString(16)} is outside RAM of size 0x${this.size.toString(16)}`);
    }
    for (let i = 0; i < bytes.length; ) {
      const a = addr + i;
      const page = this.page(Math.floor(a / PAGE), true);
      const off = a % PAGE;
      const n = Math.min(PAGE - off, bytes.length - i);
      page.set(bytes.subarray(i, i + n), off);
      i += n;
    }
    return this;
  }

  writeU8(addr: number, v: Int): this { return this.write(addr, leBytes(v, 1)); }
  writeU16(addr: number, v: Int): this { return this.write(addr, leBytes(v, 2)); }
  writeU32(addr: number, v: Int): this { return this.write(addr, leBytes(v, 4)); }
  writeU64(addr: number, v: Int): this { return this.write(addr, leBytes(v, 8)); }

  read(addr: number, len: number): Uint8Array {
    const out = new Uint8Array(len);
    for (let i = 0; i < len; ) {
      const a = addr + i;
      const off = a % PAGE;
      const n = Math.min(PAGE - off, len - i);
      const page = this.page(Math.floor(a / PAGE), false);
      if (page) out.set(page.subarray(off, off + n), i);
      i += n;
    }
    return out;
  }

  readU32(addr: number): number { return Number(readLe(this.read(addr, 4), 0, 4)); }
  readU64(addr: number): bigint { return readLe(this.read(addr, 8), 0, 8); }

  /** Non-zero content as scenario `memory` entries, in address order. */
  entries(): MemoryEntry[] {
    const out: MemoryEntry[] = [];
    let start = -1;
    let lastNonZero = -1;
    let chunk: number[] = [];
    const flush = () => {
      if (start >= 0) out.push({ addr: '0x' + start.toString(16), hex: toHex(Uint8Array.from(chunk.slice(0, lastNonZero - start + 1))) });
      start = -1;
      chunk = [];
    };
    for (const pn of [...this.pages.keys()].sort((a, b) => a - b)) {
      const page = this.pages.get(pn)!;
      for (let off = 0; off < PAGE; off++) {
        const a = pn * PAGE + off;
        const b = page[off];
        if (b !== 0) {
          if (start >= 0 && a - lastNonZero > ZERO_GAP) flush();
          if (start < 0) start = a;
          while (start + chunk.length < a) chunk.push(0);
          chunk.push(b);
          lastNonZero = a;
        }
      }
    }
    flush();
    return out;
  }

  private page(pn: number, create: true): Uint8Array;
  private page(pn: number, create: false): Uint8Array | undefined;
  private page(pn: number, create: boolean): Uint8Array | undefined {
    let p = this.pages.get(pn);
    if (!p && create) {
      p = new Uint8Array(PAGE);
      this.pages.set(pn, p);
    }
    return p;
  }
}



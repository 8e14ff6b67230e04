import { busError, hex } from '../arch/faults.ts';

export const PAGE_SIZE = 4096;
export const PAGE_SHIFT = 12;
/** Bits of `PhysicalMemory.watched`: the page holds decoded instructions / cached descriptor-table entries. */
export const WATCH_CODE = 1;
export const WATCH_TABLES = 2;

/**
 * Physical memory: sparse 4 KiB pages allocated on first touch, little-endian. Pages that hold
 * decoded instructions or cached descriptor-table entries are watched, so that a write to them
 * can invalidate the copies.
 */
export class PhysicalMemory {
  readonly pageCount: number;
  private readonly pages: (Uint8Array | undefined)[];
  private readonly views: (DataView | undefined)[];
  /** Per page, WATCH_CODE when it holds (the start or the tail of) decoded instructions, WATCH_TABLES when it holds cached table entries. */
  readonly watched: Uint8Array;
  /** Called when a write lands on a page watched for code. */
  onCodeWrite: (page: number) => void = () => {};
  /**
   * Changes whenever a cached descriptor-table entry may be stale: a write to a page watched for
   * tables, or (bumped by the linear memory) a change of translations.
   */
  tableGeneration = 0;

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size <= 0 || size % PAGE_SIZE !== 0 || size > 2 ** 40) {
      throw new RangeError(`ram size ${size} must be a positive multiple of 4096 no larger than 2^40`);
    }
    this.pageCount = size / PAGE_SIZE;
    this.pages = new Array(this.pageCount);
    this.views = new Array(this.pageCount);
    this.watched = new Uint8Array(this.pageCount);
  }

  /** Page `pn`, which is watched, was written: the copies made from it go. */
  wrote(pn: number): void {
    const w = this.watched[pn];
    if (w & WATCH_TABLES) {
      this.watched[pn] = w & ~WATCH_TABLES;
      this.tableGeneration++;
    }
    if (w & WATCH_CODE) this.onCodeWrite(pn);
  }

  /** The bytes of physical page `pn`, allocated zeroed on first use; a bus error beyond the end. */
  page(pn: number, forWhat = 'access'): Uint8Array {
    const existing = this.pages[pn];
    if (existing) return existing;
    if (!(pn >= 0 && pn < this.pageCount)) {
      throw busError(`${forWhat} of physical address ${hex(pn * PAGE_SIZE)} is beyond physical memory (size ${hex(this.size)})`);
    }
    const bytes = new Uint8Array(PAGE_SIZE);
    this.pages[pn] = bytes;
    this.views[pn] = new DataView(bytes.buffer);
    return bytes;
  }

  view(pn: number, forWhat = 'access'): DataView {
    return this.views[pn] ?? (this.page(pn, forWhat), this.views[pn]!);
  }

  /** True when `pn` has been touched (untouched pages read as zero without being allocated). */
  isAllocated(pn: number): boolean {
    return this.pages[pn] !== undefined;
  }

  load(address: number, bytes: Uint8Array): void {
    if (address < 0 || address + bytes.length > this.size) {
      throw new RangeError(`cannot load ${bytes.length} bytes at ${hex(address)}: physical memory is ${hex(this.size)} bytes`);
    }
    for (let done = 0; done < bytes.length; ) {
      const at = address + done;
      const pn = Math.floor(at / PAGE_SIZE);
      const off = at - pn * PAGE_SIZE;
      const n = Math.min(PAGE_SIZE - off, bytes.length - done);
      this.page(pn).set(bytes.subarray(done, done + n), off);
      if (this.watched[pn]) this.wrote(pn);
      done += n;
    }
  }

  read(address: number, length: number): Uint8Array {
    if (address < 0 || address + length > this.size) {
      throw new RangeError(`cannot read ${length} bytes at ${hex(address)}: physical memory is ${hex(this.size)} bytes`);
    }
    const out = new Uint8Array(length);
    for (let done = 0; done < length; ) {
      const at = address + done;
      const pn = Math.floor(at / PAGE_SIZE);
      const off = at - pn * PAGE_SIZE;
      const n = Math.min(PAGE_SIZE - off, length - done);
      const page = this.pages[pn];
      if (page) out.set(page.subarray(off, off + n), done);
      done += n;
    }
    return out;
  }
}

import { busError, hex } from '../arch/faults.ts';

export const PAGE_SIZE = 4096;
export const PAGE_SHIFT = 12;

/**
 * Physical memory: sparse 4 KiB pages allocated on first touch, little-endian. Pages that hold
 * decoded instructions are marked so that a write to them can invalidate the decoded copies.
 */
export class PhysicalMemory {
  readonly pageCount: number;
  private readonly pages: (Uint8Array | undefined)[];
  private readonly views: (DataView | undefined)[];
  /** Non-zero for pages that hold (the start or the tail of) decoded instructions. */
  readonly codePages: Uint8Array;
  /** Called when a write lands on a page marked in `codePages`. */
  onCodeWrite: (page: number) => void = () => {};

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size <= 0 || size % PAGE_SIZE !== 0 || size > 2 ** 40) {
      throw new RangeError(`ram size ${size} must be a positive multiple of 4096 no larger than 2^40`);
    }
    this.pageCount = size / PAGE_SIZE;
    this.pages = new Array(this.pageCount);
    this.views = new Array(this.pageCount);
    this.codePages = new Uint8Array(this.pageCount);
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
      if (this.codePages[pn]) this.onCodeWrite(pn);
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

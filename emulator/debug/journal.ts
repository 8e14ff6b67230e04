import { PAGE_SIZE, type PhysicalMemory } from '../memory/physical.ts';

/** An entry: position, physical address and size (packed), the old low and high 32 bits. */
const SLOTS = 4;
/** Sizes are 1..8: the address is stored times 16, plus the size. */
const SIZE_SPAN = 16;
export const ENTRY_BYTES = SLOTS * 8;

/**
 * The recorder's undo log: the old bytes of every journaled write, in position order, indexed
 * from the start of the recording. Entries live in fixed slabs, so a long recording allocates
 * a slab now and then rather than an array per checkpoint, and the oldest history goes a slab
 * at a time.
 */
export class Journal {
  private slabs: Float64Array[] = [];
  /** Entries per slab: small enough that a slab is a fraction of the recorder's bound. */
  private readonly slabEntries: number;
  /** Index of the first entry of `slabs[0]`. */
  private base = 0;
  /** Index the next entry gets. */
  length = 0;

  constructor(maxBytes: number) {
    this.slabEntries = Math.max(256, Math.min(16384, 2 ** Math.floor(Math.log2(maxBytes / ENTRY_BYTES / 16))));
  }

  get bytes(): number {
    return this.slabs.length * this.slabEntries * ENTRY_BYTES;
  }

  append(position: number, physical: number, size: number, lo: number, hi: number): void {
    const rel = this.length - this.base;
    const s = Math.floor(rel / this.slabEntries);
    if (s === this.slabs.length) this.slabs.push(new Float64Array(this.slabEntries * SLOTS));
    const e = this.slabs[s];
    const k = (rel - s * this.slabEntries) * SLOTS;
    e[k] = position;
    e[k + 1] = physical * SIZE_SPAN + size;
    e[k + 2] = lo;
    e[k + 3] = hi;
    this.length++;
  }

  private slot(i: number): number {
    return ((i - this.base) % this.slabEntries) * SLOTS;
  }

  private slab(i: number): Float64Array {
    return this.slabs[Math.floor((i - this.base) / this.slabEntries)];
  }

  position(i: number): number {
    return this.slab(i)[this.slot(i)];
  }

  /** Writes entry `i`'s old bytes back into physical memory; returns the physical page it touched. */
  undo(i: number, mem: PhysicalMemory): number {
    const e = this.slab(i);
    const k = this.slot(i);
    const packed = e[k + 1];
    const physical = Math.floor(packed / SIZE_SPAN);
    const size = packed - physical * SIZE_SPAN;
    const lo = e[k + 2];
    const hi = e[k + 3];
    const pn = Math.floor(physical / PAGE_SIZE);
    const off = physical - pn * PAGE_SIZE;
    const page = mem.page(pn);
    for (let b = 0; b < size; b++) page[off + b] = b < 4 ? lo >>> (8 * b) : hi >>> (8 * (b - 4));
    return pn;
  }

  /** The first index in [from, to) whose entry was made at or after position `p` (`to` when none). */
  indexOf(p: number, from: number, to: number): number {
    let lo = from;
    let hi = to;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if (this.position(mid) < p) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Frees the slabs that hold only entries before index `i`. */
  dropBefore(i: number): void {
    while (this.slabs.length > 1 && i - this.base >= this.slabEntries) {
      this.slabs.shift();
      this.base += this.slabEntries;
    }
  }
}

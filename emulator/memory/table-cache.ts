import type { LinearMemory } from './linear.ts';

const SLOTS = 256;

/**
 * Decoded descriptor-table entries (GDT/LDT descriptors, IDT gates) by the linear address they
 * were read at, so that a transition does not decode the same entries again. An entry is kept only
 * when its bytes came through the supervisor read TLB (a cacheable translation, no read observer),
 * and its physical page is then watched: a write to that page, a TLB flush or an INVLPG changes
 * the physical memory's table generation, and every entry made before it is gone. The processor
 * reads these tables on every use; this cache returns what such a read would.
 */
export class TableCache<T> {
  private readonly tag = new Float64Array(SLOTS).fill(NaN);
  private readonly generation = new Float64Array(SLOTS).fill(-1);
  private readonly entry = new Array<T | undefined>(SLOTS);

  constructor(private readonly mem: LinearMemory) {}

  /** The entry decoded at linear address `at`, if still valid. */
  get(at: number): T | undefined {
    const i = Math.floor(at / 8) & (SLOTS - 1);
    return this.tag[i] === at && this.generation[i] === this.mem.phys.tableGeneration ? this.entry[i] : undefined;
  }

  /** Keeps `value`, decoded from the bytes at `at` that the last `hitView` returned. */
  put(at: number, value: T): void {
    this.mem.watchTables(this.mem.hitPage);
    const i = Math.floor(at / 8) & (SLOTS - 1);
    this.tag[i] = at;
    this.generation[i] = this.mem.phys.tableGeneration;
    this.entry[i] = value;
  }
}

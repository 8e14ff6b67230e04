import { PAGE_SIZE, WATCH_TABLES, type PhysicalMemory } from './physical.ts';
import { alignmentCheck, hex } from '../arch/faults.ts';

/** What an access is for, as the translation hook (and later the page walker) must know. */
export const ACCESS_READ = 1;
export const ACCESS_WRITE = 2;
export const ACCESS_EXECUTE = 4;
/** Set when the access is made at CPL 3 (a user-mode access for the page-level U/S check). */
export const ACCESS_USER = 8;

/**
 * Maps one linear address to a physical address for an access, or throws the fault the access
 * raises (#PF once paging is on). Linear addresses are numbers: in 64-bit mode canonical
 * addresses are held sign-extended, so 0xffff800000000000 is -2^47.
 */
export type Translate = (linear: number, access: number) => number;

export const identityTranslate: Translate = (linear) => linear;

const TLB_SIZE = 256;
export const TLB_MASK = TLB_SIZE - 1;
const INV_PAGE = 1 / PAGE_SIZE;
export const PAGE_SHIFT = Math.log2(PAGE_SIZE);
const TWO32 = 2 ** 32;

/** The linear page number of `lin`: a shift below 4 GiB, where Math.floor on a double would cost several times more. */
export const pageNumber = (lin: number): number => (lin >= 0 && lin < TWO32 ? lin >>> PAGE_SHIFT : Math.floor(lin * INV_PAGE));
/** Pages per invalidation region (4 MiB, the largest page of 32-bit paging). */
export const REGION_PAGES = 1024;

/** Caches keyed by linear address, told when translations go. */
export interface TranslationFollowers {
  /** Every translation went. */
  flushTlb(): void;
  /** INVLPG: the translations in one 4 MiB region (`pagesPerRegion` pages) went. */
  flushRegion(region: number, pagesPerRegion: number): void;
}

const NO_FOLLOWERS: TranslationFollowers = { flushTlb() {}, flushRegion() {} };
const INV_REGION_PAGES = 1 / REGION_PAGES;
const INV_REGION = INV_PAGE * INV_REGION_PAGES;

/**
 * Linear-address reads and writes through one translation hook, with a small direct-mapped TLB
 * per access kind from linear page to the physical page's bytes. Pages holding decoded code are
 * never entered in the write TLB, so every write to code takes the slow path that invalidates it.
 */
/**
 * Sees a write before it happens. Returning true says the observer has taken care of every write
 * to that physical page until the write TLB is next flushed: the page may then be written without it.
 */
export type WriteObserver = (physical: number, size: number) => boolean | void;

export class LinearMemory {
  private translateHook: Translate = identityTranslate;
  /** True while the CPU runs at CPL 3: accesses are user accesses. */
  private userMode = false;
  private observer: WriteObserver | null = null;
  private readObs: ((physical: number, size: number) => void) | null = null;
  /** Alignment checking (CPL 3 with CR0.AM and RFLAGS.AC): the TLBs stay empty so every access is checked on the slow path. */
  private aligned = false;

  /** One TLB per privilege (supervisor, user), so that a change of CPL flushes nothing. */
  private readonly supervisor = new Tlb();
  private readonly userTlb = new Tlb();
  /** The current privilege's entries (references into `supervisor` or `userTlb`). */
  private rTag = this.supervisor.rTag;
  private rView = this.supervisor.rView;
  private rPage = this.supervisor.rPage;
  private wTag = this.supervisor.wTag;
  private wView = this.supervisor.wView;
  /**
   * Cleared by a translation whose outcome depends on more than the page tables and the privilege
   * (a supervisor access to a user page under CR4.SMAP also depends on RFLAGS.AC): not cached.
   */
  cacheable = true;
  /** The high half of the last read64. */
  hi = 0;
  private readonly scratchBytes = new Uint8Array(8);
  private readonly scratchView = new DataView(this.scratchBytes.buffer);
  /**
   * What follows the translations (the decode cache). An object of one class rather than a
   * closure per machine: the calls stay monomorphic when a process builds many machines.
   */
  followers: TranslationFollowers = NO_FOLLOWERS;

  constructor(readonly phys: PhysicalMemory) {}

  get translate(): Translate {
    return this.translateHook;
  }

  set translate(hook: Translate) {
    this.translateHook = hook;
    this.flush();
  }

  set user(value: boolean) {
    if (value !== this.userMode) {
      this.userMode = value;
      const t = value ? this.userTlb : this.supervisor;
      this.rTag = t.rTag;
      this.rView = t.rView;
      this.rPage = t.rPage;
      this.wTag = t.wTag;
      this.wView = t.wView;
    }
  }

  get user(): boolean {
    return this.userMode;
  }

  /** The current privilege's TLB: compiled blocks run the fast paths of read64 and write64 on it in place. */
  get tlb(): Tlb {
    return this.userMode ? this.userTlb : this.supervisor;
  }

  set alignmentChecks(value: boolean) {
    if (value !== this.aligned) {
      this.aligned = value;
      this.flush();
    }
  }

  get alignmentChecks(): boolean {
    return this.aligned;
  }

  private checkAlignment(lin: number, size: number): void {
    if (size > 1 && (lin & (size - 1)) !== 0) throw alignmentCheck(`${size}-byte access at ${hex(lin)} is not aligned (CR0.AM and RFLAGS.AC are set at CPL 3)`);
  }

  /** Called before every write with the physical address and size (for a time-travel journal). */
  set writeObserver(fn: WriteObserver | null) {
    this.observer = fn;
    this.flushWrites();
  }

  get writeObserver(): WriteObserver | null {
    return this.observer;
  }

  /** Called on every data read with the physical address and size (read watchpoints); while set, reads skip the TLB. Instruction fetches are not reads here. */
  set readObserver(fn: ((physical: number, size: number) => void) | null) {
    this.readObs = fn;
    this.supervisor.rTag.fill(NaN);
    this.userTlb.rTag.fill(NaN);
    this.phys.tableGeneration++;
  }

  get readObserver(): ((physical: number, size: number) => void) | null {
    return this.readObs;
  }

  flush(): void {
    this.phys.tableGeneration++;
    this.supervisor.rTag.fill(NaN);
    this.userTlb.rTag.fill(NaN);
    this.flushWrites();
    this.followers.flushTlb();
  }

  flushWrites(): void {
    this.supervisor.wTag.fill(NaN);
    this.userTlb.wTag.fill(NaN);
    this.supervisor.oTag.fill(NaN);
    this.userTlb.oTag.fill(NaN);
  }

  /**
   * INVLPG: drops the translations of the page holding `lin`. Entries do not record their page
   * size, so every entry in the same 4 MiB region goes (covering 2 MiB and 4 MiB pages; invalidating
   * more than the page is allowed, SDM Vol. 3A, 4.10.4.1). No paging-structure caches exist.
   */
  invalidatePage(lin: number): void {
    const region = Math.floor(lin * INV_REGION);
    for (const tag of [this.supervisor.rTag, this.supervisor.wTag, this.supervisor.oTag, this.userTlb.rTag, this.userTlb.wTag, this.userTlb.oTag]) {
      for (let i = 0; i < TLB_SIZE; i++) if (Math.floor(tag[i] * INV_REGION_PAGES) === region) tag[i] = NaN;
    }
    this.phys.tableGeneration++;
    this.followers.flushRegion(region, REGION_PAGES);
  }

  /** Watches physical page `pn` for writes to cached table entries (out of the write TLB from now on). */
  watchTables(pn: number): void {
    const w = this.phys.watched[pn];
    if ((w & WATCH_TABLES) === 0) {
      this.phys.watched[pn] = w | WATCH_TABLES;
      if (w === 0) this.flushWrites();
    }
  }

  /** Physical address of one byte, through the translation hook. */
  physical(linear: number, access: number): number {
    this.cacheable = true;
    return this.translateHook(linear, this.userMode ? access | ACCESS_USER : access);
  }

  read8(lin: number): number {
    const pn = pageNumber(lin);
    const i = pn & TLB_MASK;
    if (this.rTag[i] === pn) return this.rView[i].getUint8(lin - pn * PAGE_SIZE);
    return this.slowRead(lin, 1);
  }

  read16(lin: number): number {
    const pn = pageNumber(lin);
    const off = lin - pn * PAGE_SIZE;
    const i = pn & TLB_MASK;
    if (this.rTag[i] === pn && off <= PAGE_SIZE - 2) return this.rView[i].getUint16(off, true);
    return this.slowRead(lin, 2);
  }

  /** A 32-bit read, returned as a signed int32. */
  read32(lin: number): number {
    const pn = pageNumber(lin);
    const off = lin - pn * PAGE_SIZE;
    const i = pn & TLB_MASK;
    if (this.rTag[i] === pn && off <= PAGE_SIZE - 4) return this.rView[i].getInt32(off, true);
    return this.slowRead(lin, 4) | 0;
  }

  /** A 64-bit read: returns the low half as int32 and leaves the high half in `hi`. */
  read64(lin: number): number {
    const pn = pageNumber(lin);
    const off = lin - pn * PAGE_SIZE;
    const i = pn & TLB_MASK;
    if (this.rTag[i] === pn && off <= PAGE_SIZE - 8) {
      const v = this.rView[i];
      this.hi = v.getInt32(off + 4, true);
      return v.getInt32(off, true);
    }
    return this.slowRead(lin, 8);
  }

  write8(lin: number, value: number): void {
    const pn = pageNumber(lin);
    const i = pn & TLB_MASK;
    if (this.wTag[i] === pn) this.wView[i].setUint8(lin - pn * PAGE_SIZE, value);
    else this.slowWrite(lin, 1, value, 0);
  }

  write16(lin: number, value: number): void {
    const pn = pageNumber(lin);
    const off = lin - pn * PAGE_SIZE;
    const i = pn & TLB_MASK;
    if (this.wTag[i] === pn && off <= PAGE_SIZE - 2) this.wView[i].setUint16(off, value, true);
    else this.slowWrite(lin, 2, value, 0);
  }

  write32(lin: number, value: number): void {
    const pn = pageNumber(lin);
    const off = lin - pn * PAGE_SIZE;
    const i = pn & TLB_MASK;
    if (this.wTag[i] === pn && off <= PAGE_SIZE - 4) this.wView[i].setInt32(off, value, true);
    else this.slowWrite(lin, 4, value, 0);
  }

  write64(lin: number, lo: number, hi: number): void {
    const pn = pageNumber(lin);
    const off = lin - pn * PAGE_SIZE;
    const i = pn & TLB_MASK;
    if (this.wTag[i] === pn && off <= PAGE_SIZE - 8) {
      const v = this.wView[i];
      v.setInt32(off, lo, true);
      v.setInt32(off + 4, hi, true);
    } else this.slowWrite(lin, 8, lo, hi);
  }

  /**
   * Checks that a write of `size` bytes at `lin` would succeed, without writing (for instructions
   * that must fault before any store). `align` is the alignment #AC checks (1: none).
   */
  probeWrite(lin: number, size: number, align = size): void {
    if (this.aligned) this.checkAlignment(lin, align);
    this.physical(lin, ACCESS_WRITE);
    if (size > 1) this.physical(lin + size - 1, ACCESS_WRITE);
  }

  /**
   * A read with an explicit privilege, without alignment checks: for the processor's own accesses
   * to the GDT, IDT, TSS and the stacks it switches to. It goes through that privilege's TLB.
   */
  readAs(lin: number, size: number, user: boolean): number {
    const t = user ? this.userTlb : this.supervisor;
    const pn = Math.floor(lin * INV_PAGE);
    const off = lin - pn * PAGE_SIZE;
    const i = pn & TLB_MASK;
    if (t.rTag[i] === pn && off <= PAGE_SIZE - size) return this.readView(t.rView[i], off, size);
    return this.slowReadAs(lin, size, user, t);
  }

  /** Offset in the page of the view `hitView` last returned, and (for a read) its physical page number. */
  hitOff = 0;
  hitPage = 0;

  /**
   * The page bytes holding all of `lin .. lin+size-1` when that privilege's TLB already maps them
   * for the access (offset in `hitOff`), else null: for the processor's own multi-slot accesses
   * (a gate, a descriptor, an exception frame), which then touch memory directly. A hit means the
   * same outcome as the accesses one by one: a present translation, no observer, no code on a
   * writable entry. On null the caller makes the accesses one by one (which fill the TLB).
   */
  hitView(lin: number, size: number, write: boolean, user: boolean): DataView | null {
    const t = user ? this.userTlb : this.supervisor;
    const pn = Math.floor(lin * INV_PAGE);
    const off = lin - pn * PAGE_SIZE;
    const i = pn & TLB_MASK;
    if (off > PAGE_SIZE - size) return null;
    if (write) {
      if (t.wTag[i] !== pn) return null;
      this.hitOff = off;
      return t.wView[i];
    }
    if (t.rTag[i] !== pn) return null;
    this.hitOff = off;
    this.hitPage = t.rPage[i];
    return t.rView[i];
  }

  /**
   * As `hitView` for the current privilege, for `lin` below 4 GiB: the page bytes holding
   * `lin .. lin+size-1` when its TLB already maps them for the access (offset in `hitOff`), else null.
   */
  hitWindow(lin: number, size: number, write: boolean): DataView | null {
    const pn = lin >>> 12;
    const off = lin & (PAGE_SIZE - 1);
    const i = pn & TLB_MASK;
    if (off > PAGE_SIZE - size || (write ? this.wTag[i] : this.rTag[i]) !== pn) return null;
    this.hitOff = off;
    return write ? this.wView[i] : this.rView[i];
  }

  /** `size` bytes at `at` of a page; the high half of an 8-byte read goes to `hi` (zero otherwise). */
  private readView(v: DataView, at: number, size: number): number {
    switch (size) {
      case 1: this.hi = 0; return v.getUint8(at);
      case 2: this.hi = 0; return v.getUint16(at, true);
      case 4: this.hi = 0; return v.getInt32(at, true);
      default:
        this.hi = v.getInt32(at + 4, true);
        return v.getInt32(at, true);
    }
  }

  private slowReadAs(lin: number, size: number, user: boolean, t: Tlb): number {
    const access = ACCESS_READ | (user ? ACCESS_USER : 0);
    this.cacheable = true;
    const first = this.translateHook(lin, access);
    const pn = Math.floor(lin * INV_PAGE);
    const split = Math.min(size, (pn + 1) * PAGE_SIZE - lin);
    if (split === size) {
      const ppn = Math.floor(first * INV_PAGE);
      const view = this.phys.view(ppn, 'read');
      if (this.readObs !== null) this.readObs(first, size);
      else if (this.cacheable && !this.aligned) {
        const i = pn & TLB_MASK;
        t.rTag[i] = pn;
        t.rView[i] = view;
        t.rPage[i] = ppn;
      }
      return this.readView(view, first - ppn * PAGE_SIZE, size);
    }
    const second = this.translateHook(lin + split, access);
    if (this.readObs !== null) {
      this.readObs(first, split);
      this.readObs(second, size - split);
    }
    const bytes = this.scratchBytes;
    bytes.fill(0);
    for (let k = 0; k < size; k++) {
      const p = k < split ? first + k : second + k - split;
      const ppn = Math.floor(p * INV_PAGE);
      bytes[k] = this.phys.page(ppn, 'read')[p - ppn * PAGE_SIZE];
    }
    return this.readView(this.scratchView, 0, size);
  }

  /** A write with an explicit privilege (see readAs); both pages are translated before any byte is written. */
  writeAs(lin: number, size: number, lo: number, hi: number, user: boolean): void {
    const t = user ? this.userTlb : this.supervisor;
    const pn = Math.floor(lin * INV_PAGE);
    const off = lin - pn * PAGE_SIZE;
    const i = pn & TLB_MASK;
    if (t.wTag[i] === pn && off <= PAGE_SIZE - size) {
      const v = t.wView[i];
      switch (size) {
        case 1: v.setUint8(off, lo); break;
        case 2: v.setUint16(off, lo, true); break;
        case 4: v.setInt32(off, lo, true); break;
        default:
          v.setInt32(off, lo, true);
          v.setInt32(off + 4, hi, true);
      }
      return;
    }
    this.slowWriteAs(lin, size, lo, hi, user, t);
  }

  private slowWriteAs(lin: number, size: number, lo: number, hi: number, user: boolean, t: Tlb): void {
    const access = ACCESS_WRITE | (user ? ACCESS_USER : 0);
    const bytes = this.scratchBytes;
    const dv = this.scratchView;
    dv.setInt32(0, lo, true);
    dv.setInt32(4, hi, true);
    this.cacheable = true;
    const first = this.translateHook(lin, access);
    let cacheable = this.cacheable;
    const pn = Math.floor(lin * INV_PAGE);
    const split = Math.min(size, (pn + 1) * PAGE_SIZE - lin);
    const second = split < size ? this.translateHook(lin + split, access) : 0;
    this.observer?.(first, split);
    if (split < size) this.observer?.(second, size - split);
    for (let k = 0; k < size; k++) {
      const p = k < split ? first + k : second + k - split;
      const ppn = Math.floor(p * INV_PAGE);
      this.phys.page(ppn, 'write')[p - ppn * PAGE_SIZE] = bytes[k];
      if (this.phys.watched[ppn]) {
        this.phys.wrote(ppn);
        cacheable = false;
      }
    }
    if (split === size && cacheable && this.observer === null && !this.aligned) {
      const i = pn & TLB_MASK;
      t.wTag[i] = pn;
      t.wView[i] = this.phys.view(Math.floor(first * INV_PAGE));
    }
  }

  private slowRead(lin: number, size: number): number {
    if (this.aligned) this.checkAlignment(lin, size);
    const pn = Math.floor(lin * INV_PAGE);
    const off = lin - pn * PAGE_SIZE;
    if (off + size <= PAGE_SIZE) {
      const phys = this.physical(lin, ACCESS_READ);
      const ppn = Math.floor(phys * INV_PAGE);
      const view = this.phys.view(ppn, 'read');
      if (this.readObs !== null) this.readObs(phys, size);
      else if (!this.aligned && this.cacheable) {
        const i = pn & TLB_MASK;
        this.rTag[i] = pn;
        this.rView[i] = view;
        this.rPage[i] = ppn;
      }
      const at = phys - ppn * PAGE_SIZE;
      switch (size) {
        case 1: return view.getUint8(at);
        case 2: return view.getUint16(at, true);
        case 4: return view.getInt32(at, true);
        default:
          this.hi = view.getInt32(at + 4, true);
          return view.getInt32(at, true);
      }
    }
    // Crosses a page boundary: both pages are translated before any byte is used.
    const first = this.physical(lin, ACCESS_READ);
    const second = this.physical(lin + (PAGE_SIZE - off), ACCESS_READ);
    if (this.readObs !== null) {
      this.readObs(first, PAGE_SIZE - off);
      this.readObs(second, size - (PAGE_SIZE - off));
    }
    const bytes = new Uint8Array(8);
    for (let k = 0; k < size; k++) {
      const p = k < PAGE_SIZE - off ? first + k : second + k - (PAGE_SIZE - off);
      const ppn = Math.floor(p * INV_PAGE);
      bytes[k] = this.phys.page(ppn, 'read')[p - ppn * PAGE_SIZE];
    }
    const dv = new DataView(bytes.buffer);
    switch (size) {
      case 2: return dv.getUint16(0, true);
      case 4: return dv.getInt32(0, true);
      default:
        this.hi = dv.getInt32(4, true);
        return dv.getInt32(0, true);
    }
  }

  private slowWrite(lin: number, size: number, lo: number, hi: number): void {
    if (this.aligned) this.checkAlignment(lin, size);
    const pn = Math.floor(lin * INV_PAGE);
    const off = lin - pn * PAGE_SIZE;
    if (off + size <= PAGE_SIZE) {
      const t = this.tlb;
      const i = pn & TLB_MASK;
      // An observed write to a page already translated for writing: no page walk, the observer still sees it.
      const known = this.observer !== null && t.oTag[i] === pn;
      const ppn = known ? t.oPage[i] : Math.floor(this.physical(lin, ACCESS_WRITE) * INV_PAGE);
      const phys = ppn * PAGE_SIZE + off;
      const view = known ? t.oView[i] : this.phys.view(ppn, 'write');
      const covered = this.observer?.(phys, size) === true;
      const at = phys - ppn * PAGE_SIZE;
      switch (size) {
        case 1: view.setUint8(at, lo); break;
        case 2: view.setUint16(at, lo, true); break;
        case 4: view.setInt32(at, lo, true); break;
        default:
          view.setInt32(at, lo, true);
          view.setInt32(at + 4, hi, true);
      }
      if (this.phys.watched[ppn]) this.phys.wrote(ppn);
      else if (!this.aligned && this.cacheable) {
        if (this.observer === null || covered) {
          this.wTag[i] = pn;
          this.wView[i] = this.phys.view(ppn);
        } else if (!known) {
          t.oTag[i] = pn;
          t.oView[i] = view;
          t.oPage[i] = ppn;
        }
      }
      return;
    }
    // Reused: every write is a slow write while a write observer (the debugger's journal) is set.
    const bytes = this.scratchBytes;
    const dv = this.scratchView;
    dv.setInt32(0, lo, true);
    dv.setInt32(4, hi, true);
    const first = this.physical(lin, ACCESS_WRITE);
    const second = this.physical(lin + (PAGE_SIZE - off), ACCESS_WRITE);
    const split = PAGE_SIZE - off;
    const p1 = Math.floor(first * INV_PAGE);
    const p2 = Math.floor(second * INV_PAGE);
    const page1 = this.phys.page(p1, 'write');
    const page2 = this.phys.page(p2, 'write');
    this.observer?.(first, split);
    this.observer?.(second, size - split);
    for (let k = 0; k < size; k++) {
      if (k < split) page1[first - p1 * PAGE_SIZE + k] = bytes[k];
      else page2[second - p2 * PAGE_SIZE + k - split] = bytes[k];
    }
    if (this.phys.watched[p1]) this.phys.wrote(p1);
    if (this.phys.watched[p2]) this.phys.wrote(p2);
  }
}

/** Direct-mapped read and write entries from linear page number to the physical page's bytes. */
export class Tlb {
  readonly rTag = new Float64Array(TLB_SIZE).fill(NaN);
  readonly rView: DataView[] = new Array<DataView>(TLB_SIZE);
  /** The physical page number behind each read entry. */
  readonly rPage = new Float64Array(TLB_SIZE);
  readonly wTag = new Float64Array(TLB_SIZE).fill(NaN);
  readonly wView: DataView[] = new Array<DataView>(TLB_SIZE);
  /** Write translations made while a write observer is set: they spare the walk, never the observer. */
  readonly oTag = new Float64Array(TLB_SIZE).fill(NaN);
  readonly oView: DataView[] = new Array<DataView>(TLB_SIZE);
  readonly oPage = new Float64Array(TLB_SIZE);
}

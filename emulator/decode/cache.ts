/**
 * Decoded instructions cached per physical page and offset (with the code size they were decoded
 * for), plus a small TLB from linear code page to the page's cache. A write to a page holding
 * decoded code invalidates that page (and any page whose instructions spill into it).
 */
import { generalProtection, hex, invalidOpcode } from '../arch/faults.ts';
import { INSTRUCTIONS } from '../isa/table.ts';
import type { Cpu, ModeFollower } from '../cpu/state.ts';
import { ACCESS_EXECUTE, pageNumber, type TranslationFollowers } from '../memory/linear.ts';
import { PAGE_SIZE, WATCH_CODE, type PhysicalMemory } from '../memory/physical.ts';
import { buildInsn } from './dispatch.ts';
import { decodeOne, type RawInsn } from './iced.ts';
import type { Insn } from '../cpu/insn.ts';
import { OP_MEM } from '../cpu/insn.ts';
import { SEG_CS } from '../arch/segments.ts';

const LOCKABLE = new Set(INSTRUCTIONS.filter((f) => f.lockable).map((f) => f.mnemonic));

const TLB_SIZE = 64;
const INV_PAGE = 1 / PAGE_SIZE;
const MAX_LENGTH = 15;

type PageCache = (Insn | undefined)[];

export class DecodeCache implements TranslationFollowers, ModeFollower {
  private readonly pages = new Map<number, PageCache>();
  /** For a physical page, the pages whose cached instructions extend into it. */
  private readonly spills = new Map<number, Set<number>>();
  /** The code TLB per privilege (supervisor, user): a change of CPL flushes nothing. */
  private readonly supervisorTag = new Float64Array(TLB_SIZE).fill(NaN);
  private readonly supervisorEntry: PageCache[] = new Array<PageCache>(TLB_SIZE);
  private readonly userTag = new Float64Array(TLB_SIZE).fill(NaN);
  private readonly userEntry: PageCache[] = new Array<PageCache>(TLB_SIZE);
  private tag = this.supervisorTag;
  private entry = this.supervisorEntry;
  private user = false;
  private codeBits = -1;
  private codeBase = NaN;
  private codeLimit = NaN;
  /** Instructions decoded so far (for statistics and tests). */
  decoded = 0;

  constructor(private readonly phys: PhysicalMemory) {
    phys.onCodeWrite = (pn) => this.invalidate(pn);
  }

  /** Bumped by every flush and invalidation, and by a change of code size or CS base: links between instructions made before are void. */
  private generation = 0;
  /**
   * What a link between instructions is valid for: the generation and the privilege it was made at
   * (a link skips the fetch's page-level checks, which differ between supervisor and user).
   */
  gen = 0;

  /** Forgets the linear-to-page mapping (after any translation change). */
  flushTlb(): void {
    this.supervisorTag.fill(NaN);
    this.userTag.fill(NaN);
    this.bump();
  }

  /** Forgets the code TLB entries for linear pages in one 4 MiB region (INVLPG). */
  flushRegion(region: number, pagesPerRegion: number): void {
    for (const tag of [this.supervisorTag, this.userTag]) {
      for (let i = 0; i < TLB_SIZE; i++) if (Math.floor(tag[i] / pagesPerRegion) === region) tag[i] = NaN;
    }
    this.bump();
  }

  /** After CS, SS, EFER or CR0 changed: picks the privilege's code TLB; a new code size, CS base or CS limit voids the links. */
  modeChanged(cpu: Cpu): void {
    const user = cpu.cpl === 3;
    const cs = cpu.seg[SEG_CS];
    // A link skips the fetch's CS limit check too: a new limit voids the links like a new base.
    if (cpu.codeBits !== this.codeBits || cs.base !== this.codeBase || cs.limit !== this.codeLimit) {
      this.codeBits = cpu.codeBits;
      this.codeBase = cs.base;
      this.codeLimit = cs.limit;
      this.generation++;
    }
    this.user = user;
    this.tag = user ? this.userTag : this.supervisorTag;
    this.entry = user ? this.userEntry : this.supervisorEntry;
    this.gen = this.generation * 2 + (user ? 1 : 0);
  }

  private bump(): void {
    this.generation++;
    this.gen = this.generation * 2 + (this.user ? 1 : 0);
  }

  invalidate(pn: number): void {
    this.pages.delete(pn);
    this.phys.watched[pn] &= ~WATCH_CODE;
    this.flushTlb();
    const dependents = this.spills.get(pn);
    if (dependents) {
      this.spills.delete(pn);
      for (const d of dependents) if (this.pages.has(d)) this.invalidate(d);
    }
  }

  /** Drops every decoded instruction. */
  clear(): void {
    for (const pn of [...this.pages.keys()]) this.invalidate(pn);
  }

  /** The instruction at `rip` (an offset in CS outside 64-bit mode). */
  fetch(cpu: Cpu, rip: number): Insn {
    if (cpu.codeBits !== 64) return this.fetchSegmented(cpu, rip);
    const pn = pageNumber(rip);
    const i = pn & (TLB_SIZE - 1);
    if (this.tag[i] === pn) {
      const insn = this.entry[i][rip - pn * PAGE_SIZE];
      if (insn !== undefined && insn.bits === 64) return insn;
    }
    return this.slowFetch(cpu, rip, pn);
  }

  /** Outside 64-bit mode: the CS limit check and base, then the same lookup. */
  private fetchSegmented(cpu: Cpu, rip: number): Insn {
    const cs = cpu.seg[SEG_CS];
    if (rip > cs.limit) throw generalProtection(0, `instruction fetch at ${hex(rip)} is beyond CS's limit ${hex(cs.limit)}`);
    const lin = (cs.base + rip) >>> 0;
    const pn = Math.floor(lin * INV_PAGE);
    const i = pn & (TLB_SIZE - 1);
    if (this.tag[i] === pn) {
      const insn = this.entry[i][lin - pn * PAGE_SIZE];
      if (insn !== undefined && insn.bits === cpu.codeBits) return insn;
    }
    return this.slowFetch(cpu, lin, pn);
  }

  private slowFetch(cpu: Cpu, lin: number, pn: number): Insn {
    const bits = cpu.codeBits;
    const physical = cpu.mem.physical(lin, ACCESS_EXECUTE);
    const ppn = Math.floor(physical * INV_PAGE);
    const off = physical - ppn * PAGE_SIZE;
    const firstPage = this.phys.page(ppn, 'instruction fetch');
    let page = this.pages.get(ppn);
    if (!page) {
      page = new Array(PAGE_SIZE);
      this.pages.set(ppn, page);
      this.markCode(cpu, ppn);
    }
    const i = pn & (TLB_SIZE - 1);
    this.tag[i] = pn;
    this.entry[i] = page;
    const cached = page[off];
    if (cached !== undefined && cached.bits === bits) return cached;

    const inPage = Math.min(MAX_LENGTH, PAGE_SIZE - off);
    let bytes = firstPage.slice(off, off + inPage);
    let raw = decodeOne(bytes, bits);
    if (raw.truncated && inPage < MAX_LENGTH) {
      // The instruction continues on the next linear page: fetch it (this may fault, as on hardware).
      const next = cpu.mem.physical(lin + inPage, ACCESS_EXECUTE);
      const nextPn = Math.floor(next * INV_PAGE);
      const more = this.phys.page(nextPn, 'instruction fetch').slice(0, MAX_LENGTH - inPage);
      const joined = new Uint8Array(MAX_LENGTH);
      joined.set(bytes);
      joined.set(more, inPage);
      bytes = joined;
      raw = decodeOne(bytes, bits);
      if (raw.length > inPage) {
        let set = this.spills.get(nextPn);
        if (!set) this.spills.set(nextPn, (set = new Set()));
        set.add(ppn);
        this.markCode(cpu, nextPn);
      }
    }
    const insn = raw.mnemonic === 'INVALID' ? explainInvalid(raw, bytes, bits, lin) : buildInsn(raw, bytes.slice(0, raw.length), bits, lin);
    this.decoded++;
    page[off] = insn;
    return insn;
  }

  private markCode(cpu: Cpu, ppn: number): void {
    const w = this.phys.watched[ppn];
    if ((w & WATCH_CODE) === 0) {
      this.phys.watched[ppn] = w | WATCH_CODE;
      if (w === 0) cpu.mem.flushWrites();
    }
  }
}

/** LOCK on an instruction that does not allow it decodes as invalid: say which instruction it was. */
function explainInvalid(raw: RawInsn, bytes: Uint8Array, bits: number, lin: number): Insn {
  let k = 0;
  while (k < bytes.length && [0x66, 0x67, 0x2e, 0x36, 0x3e, 0x26, 0x64, 0x65, 0xf2, 0xf3, 0xf0].includes(bytes[k])) {
    if (bytes[k] === 0xf0) {
      const stripped = new Uint8Array([...bytes.subarray(0, k), ...bytes.subarray(k + 1)]);
      const inner = decodeOne(stripped, bits);
      if (inner.mnemonic !== 'INVALID') {
        const insn = buildInsn(inner, bytes.slice(0, inner.length + 1), bits, lin);
        const why = inner.ops[0]?.kind === OP_MEM ? `LOCK prefix is not allowed on ${inner.mnemonic}` : `LOCK prefix is not allowed on ${inner.mnemonic}${LOCKABLE.has(inner.mnemonic) ? ' with a register destination' : ''}`;
        insn.exec = () => {
          throw invalidOpcode(why);
        };
        return insn;
      }
    }
    k++;
  }
  return buildInsn(raw, bytes.slice(0, Math.max(1, raw.length)), bits, lin);
}

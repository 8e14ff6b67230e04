/**
 * Segment-register loads from the GDT/LDT (Intel SDM Vol. 3A, 3.4 and 5.5-5.6): the checked load
 * MOV/POP perform, and the unchecked load a scenario's initial state uses.
 */
import type { Cpu } from '../cpu/state.ts';
import { Segment } from '../cpu/state.ts';
import { SEG_ACCESSED, SEG_CODE, SEG_CS, SEG_DB, SEG_DPL_SHIFT, SEG_G, SEG_P, SEG_RW, SEG_S, SEG_SS, SEG_TYPE, SEG_UNUSABLE } from '../arch/segments.ts';
import { generalProtection, hex, segmentNotPresent, stackFault } from '../arch/faults.ts';
import { TWO32 } from '../arch/registers.ts';

import type { Descriptor } from '../arch/segments.ts';
export type { Descriptor };

const NAMES = ['ES', 'CS', 'SS', 'DS', 'FS', 'GS'];

/** What a descriptor read is for, in a fault's reason: a function when building the text costs more than the read. */
export type Purpose = string | (() => string);

const purposeText = (what: Purpose): string => (typeof what === 'string' ? what : what());

/** Built only on the path that raises a fault: the hot path passes `role` and allocates nothing. */
const purposeOf = (what: Purpose, role: string | undefined, selector: number): string => (role === undefined ? purposeText(what) : `${purposeText(what)}${role} ${hex(selector)}`);

/** A writable data segment, as SS must be: S set, the code bit clear, W set. */
export function isWritableData(attrs: number): boolean {
  return (attrs & (SEG_S | SEG_CODE | SEG_RW)) === (SEG_S | SEG_RW);
}

/**
 * Reads the descriptor a selector names; throws #GP(selector) when it lies outside its table.
 * With `role`, a fault's reason reads `${what}${role} ${selector}` (built only when it is raised).
 */
export function readDescriptor(cpu: Cpu, selector: number, what: Purpose, system = false, role?: string): Descriptor {
  const ti = selector & 4;
  const index = selector & ~7;
  const tableBase = ti ? cpu.ldtr.base : cpu.gdtrBase;
  const tableLimit = ti ? cpu.ldtr.limit : cpu.gdtrLimit;
  const size = system && cpu.longMode ? 16 : 8;
  if (ti && cpu.ldtr.attrs & SEG_UNUSABLE) throw generalProtection(selector & 0xfffc, `${purposeOf(what, role, selector)}: selector ${hex(selector)} refers to the LDT but LDTR is null`);
  if (index + size - 1 > tableLimit) {
    throw generalProtection(selector & 0xfffc, `${purposeOf(what, role, selector)}: selector ${hex(selector)} is beyond the ${ti ? 'LDT' : 'GDT'} limit ${hex(tableLimit)}`);
  }
  const at = tableBase + index;
  if (size === 8) {
    const cached = cpu.descriptorCache.get(at);
    if (cached !== undefined) return cached;
  }
  const view = cpu.mem.hitView(at, 8, false, false);
  const lo = view !== null ? view.getUint32(cpu.mem.hitOff, true) : cpu.mem.readAs(at, 4, false) >>> 0;
  const hi = view !== null ? view.getUint32(cpu.mem.hitOff + 4, true) : cpu.mem.readAs(at + 4, 4, false) >>> 0;
  let limit = (lo & 0xffff) | (hi & 0xf0000);
  let base = ((lo >>> 16) | ((hi & 0xff) << 16) | (hi & 0xff000000)) >>> 0;
  const attrs = ((hi >>> 8) & 0xff) | ((hi >>> 8) & 0xf000);
  if (attrs & SEG_G) limit = limit * 4096 + 0xfff;
  if (size === 16 && (attrs & SEG_S) === 0) {
    const upper = cpu.mem.readAs(at + 8, 4, false) | 0;
    base += upper * TWO32;
  }
  const d = { base, limit, attrs, at };
  if (view !== null && size === 8) cpu.descriptorCache.put(at, d);
  return d;
}

/** Sets the descriptor's accessed bit in memory (type bit 0), as every segment load does. */
export function markAccessed(cpu: Cpu, d: Descriptor): void {
  if ((d.attrs & SEG_ACCESSED) === 0) {
    cpu.mem.writeAs(d.at + 5, 1, cpu.mem.readAs(d.at + 5, 1, false) | SEG_ACCESSED, 0, false);
    d.attrs |= SEG_ACCESSED;
  }
}

/** Loads a segment register's selector and hidden part (base, limit, attributes) from a descriptor. */
export function loadHidden(seg: Segment, selector: number, d: { base: number; limit: number; attrs: number }): void {
  seg.selector = selector;
  seg.base = d.base;
  seg.limit = d.limit;
  seg.attrs = d.attrs;
}

export function nullSegment(seg: Segment, selector: number): void {
  seg.selector = selector;
  seg.base = 0;
  seg.limit = 0;
  seg.attrs = SEG_UNUSABLE;
}

/**
 * A data segment register the new (outer) privilege level may not use is nulled on IRET/RETF.
 * In IA-32e mode FS and GS keep their bases (only the selector and attributes change).
 */
export function nullForOuterLevel(cpu: Cpu, s: number): void {
  const seg = cpu.seg[s];
  const base = seg.base;
  nullSegment(seg, 0);
  if (cpu.longMode && s >= 4) seg.base = base;
}

/** MOV/POP to DS, ES, FS, GS or SS with the protection checks of Intel SDM Vol. 2B, MOV (Operation). */
export function loadSegment(cpu: Cpu, s: number, selector: number): void {
  const seg = cpu.seg[s];
  const name = NAMES[s];
  const what = `loading ${name} with ${hex(selector)}`;
  const rpl = selector & 3;
  const cpl = cpu.cpl;
  if ((selector & 0xfffc) === 0) {
    if (s === SEG_SS && !(cpu.codeBits === 64 && cpl !== 3 && rpl === cpl)) throw generalProtection(0, `${what}: SS may not be null here`);
    nullSegment(seg, selector);
    if (s === SEG_SS) {
      seg.attrs = SEG_UNUSABLE | SEG_DB | (cpl << SEG_DPL_SHIFT);
      cpu.updateMode();
    }
    return;
  }
  const d = readDescriptor(cpu, selector, what);
  const type = d.attrs & SEG_TYPE;
  const dpl = (d.attrs >> SEG_DPL_SHIFT) & 3;
  const code = (type & 8) !== 0;
  const err = selector & 0xfffc;
  if ((d.attrs & SEG_S) === 0) throw generalProtection(err, `${what}: the descriptor is a system descriptor, not code or data`);
  if (s === SEG_SS) {
    if (rpl !== cpl) throw generalProtection(err, `${what}: RPL ${rpl} differs from CPL ${cpl}`);
    if (code || (type & 2) === 0) throw generalProtection(err, `${what}: SS needs a writable data segment`);
    if (dpl !== cpl) throw generalProtection(err, `${what}: DPL ${dpl} differs from CPL ${cpl}`);
    if ((d.attrs & SEG_P) === 0) throw stackFault(err, `${what}: the segment is not present`);
  } else {
    if (code && (type & 2) === 0) throw generalProtection(err, `${what}: execute-only code segment cannot be read`);
    const conforming = code && (type & 4) !== 0;
    if (!conforming && (rpl > dpl || cpl > dpl)) throw generalProtection(err, `${what}: DPL ${dpl} is below RPL ${rpl} or CPL ${cpl}`);
    if ((d.attrs & SEG_P) === 0) throw segmentNotPresent(err, `${what}: the segment is not present`);
  }
  markAccessed(cpu, d);
  loadHidden(seg, selector, d);
  if (s === SEG_SS) cpu.updateMode();
}

/** Loads a segment register's hidden part from its descriptor without privilege checks (a scenario's initial state). */
export function loadSegmentUnchecked(cpu: Cpu, s: number, selector: number): void {
  const seg = cpu.seg[s];
  if ((selector & 0xfffc) === 0 && s !== SEG_CS) {
    nullSegment(seg, selector);
    if (s === SEG_SS) seg.attrs |= (selector & 3) << SEG_DPL_SHIFT;
    return;
  }
  const d = readDescriptor(cpu, selector, `loading ${NAMES[s]} with ${hex(selector)}`);
  if ((d.attrs & SEG_S) === 0) throw generalProtection(selector & 0xfffc, `${NAMES[s]} selector ${hex(selector)} names a system descriptor`);
  loadHidden(seg, selector, d);
}

export { SEG_CS };

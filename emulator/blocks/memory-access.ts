/**
 * The fast paths of LinearMemory's read and write, written into a compiled block: the lookup in
 * the current privilege's TLB (the block's rT/rV and wT/wV, taken from mem.tlb where it starts;
 * nothing a block runs changes the privilege) and the access to the page's bytes, else the call.
 * `addr` must be a plain local: it is read more than once.
 */
import { PAGE_SHIFT, TLB_MASK } from '../memory/linear.ts';
import { PAGE_SIZE } from '../memory/physical.ts';

/** The TLB slot and page offset of `addr`: integer arithmetic below 4 GiB (known there for a stack address the block checked), else Math.floor, which costs far more. */
const lookup = (addr: string, below4G: boolean): string =>
  below4G
    ? `pn = ${addr} >>> ${PAGE_SHIFT}; ti = pn & ${TLB_MASK}; off = ${addr} & ${PAGE_SIZE - 1};`
    : `if (${addr} >= 0 && ${addr} < ${2 ** 32}) { pn = ${addr} >>> ${PAGE_SHIFT}; off = ${addr} & ${PAGE_SIZE - 1}; } else { pn = Math.floor(${addr} * ${1 / PAGE_SIZE}); off = ${addr} - pn * ${PAGE_SIZE}; } ti = pn & ${TLB_MASK};`;

/** Reads 8 bytes at `addr` into the int32 halves `lo` and `hi`. */
export const read64 = (addr: string, lo: string, hi: string, below4G = false): string =>
  `${lookup(addr, below4G)} if (rT[ti] === pn && off <= ${PAGE_SIZE - 8}) { v = rV[ti]; ${hi} = v.getInt32(off + 4, true); ${lo} = v.getInt32(off, true); } else { ${lo} = mem.read64(${addr}); ${hi} = mem.hi; }`;

/** Reads 4 bytes at `addr` into `to` (int32). */
export const read32 = (addr: string, to: string): string =>
  `${lookup(addr, false)} if (rT[ti] === pn && off <= ${PAGE_SIZE - 4}) ${to} = rV[ti].getInt32(off, true); else ${to} = mem.read32(${addr});`;

export const write64 = (addr: string, lo: string, hi: string, below4G = false): string =>
  `${lookup(addr, below4G)} if (wT[ti] === pn && off <= ${PAGE_SIZE - 8}) { v = wV[ti]; v.setInt32(off, ${lo}, true); v.setInt32(off + 4, ${hi}, true); } else mem.write64(${addr}, ${lo}, ${hi});`;

export const write32 = (addr: string, value: string): string =>
  `${lookup(addr, false)} if (wT[ti] === pn && off <= ${PAGE_SIZE - 4}) wV[ti].setInt32(off, ${value}, true); else mem.write32(${addr}, ${value});`;

/** The block's locals for the accesses above. */
export const MEMORY_LOCALS = 'const T = mem.tlb, rT = T.rTag, rV = T.rView, wT = T.wTag, wV = T.wView; let pn = 0, ti = 0, off = 0, v = null;';

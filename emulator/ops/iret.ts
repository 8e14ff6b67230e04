/** IRET in all widths (Intel SDM Vol. 2A, IRET/IRETD/IRETQ): protected mode, IA-32e mode, nested task return. */
import type { Cpu } from '../cpu/state.ts';
import { isCanonical } from '../cpu/state.ts';
import { CR0_PE } from '../arch/control-registers.ts';
import { SEG_CS, SEG_DB, SEG_DPL_SHIFT, SEG_L, SEG_P, SEG_SS, SEG_UNUSABLE } from '../arch/segments.ts';
import { FIXED1, NT, RF, VM } from '../arch/rflags.ts';
import { generalProtection, hex, NotModelled, stackFault } from '../arch/faults.ts';
import { type Factory } from './operands.ts';
import { taskReturn } from './task.ts';
import { checkReturnCode, nullInaccessibleDataSegments } from './return-checks.ts';
import { isWritableData, loadHidden, markAccessed, nullSegment, readDescriptor, type Descriptor } from './segments.ts';
import { TWO32 } from '../arch/registers.ts';
import { iretq64 } from './fast-transitions.ts';
import { frameView, iretFlagsMask } from './iret-frame.ts';

/** Loads a segment register's hidden part from a descriptor. */
function fillSeg(cpu: Cpu, s: number, selector: number, d: { base: number; limit: number; attrs: number }): void {
  loadHidden(cpu.seg[s], selector, d);
}

function readStack(cpu: Cpu, offset: number, size: number): number {
  const lo = cpu.peek(offset, size);
  return size === 8 ? cpu.tHi * TWO32 + (lo >>> 0) : lo;
}

/** Checks the return SS against the new CPL; null is allowed only when returning to 64-bit mode below CPL 3. */
function returnStack(cpu: Cpu, sel: number, newCpl: number, to64: boolean, what: string): Descriptor | null {
  if ((sel & 0xfffc) === 0) {
    if (cpu.longMode && to64 && newCpl !== 3 && (sel & 3) === newCpl) return null;
    throw generalProtection(0, `${what}: the return SS is null (allowed only when returning to 64-bit code below CPL 3)`);
  }
  const err = sel & 0xfffc;
  if ((sel & 3) !== newCpl) throw generalProtection(err, `${what}: return SS ${hex(sel)} has RPL ${sel & 3} but the return CS has RPL ${newCpl}`);
  const d = readDescriptor(cpu, sel, what, false, ': return SS');
  const t = d.attrs;
  if (!isWritableData(t)) throw generalProtection(err, `${what}: return SS ${hex(sel)} is not a writable data segment`);
  const dpl = (t >> SEG_DPL_SHIFT) & 3;
  if (dpl !== newCpl) throw generalProtection(err, `${what}: return SS ${hex(sel)} has DPL ${dpl} but the return CS has RPL ${newCpl}`);
  if ((t & SEG_P) === 0) throw stackFault(err, `${what}: return SS ${hex(sel)} is not present`);
  return d;
}

function iret(size: number): Factory {
  return (raw) => {
    const general = generalIret(size, raw.mnemonic);
    return size === 8 ? (cpu) => void (iretq64(cpu) || general(cpu)) : general;
  };
}

function generalIret(size: number, what: string): (cpu: Cpu) => void {
  return (cpu) => {
    if ((cpu.cr0 & CR0_PE) === 0) throw new NotModelled(`${what} in real mode is not modelled by this CPU`);
    if (cpu.flags & VM) throw new NotModelled(`${what} in virtual-8086 mode is not modelled by this CPU`);
    if (cpu.flags & NT) {
      if (cpu.longMode) throw generalProtection(0, `${what}: NT is set in IA-32e mode`);
      taskReturn(cpu);
      cpu.nmiBlocked = false;
      return;
    }
    const in64 = cpu.codeBits === 64;
    // IRETQ in 64-bit mode with its frame in one page the TLB maps: the same reads, one lookup.
    const frame = in64 && size === 8 ? frameView(cpu) : null;
    const at = cpu.mem.hitOff;
    const tempRip = frame !== null ? frame.getInt32(at + 4, true) * TWO32 + frame.getUint32(at, true) : readStack(cpu, 0, size);
    const tempCs = (frame !== null ? frame.getUint32(at + 8, true) : readStack(cpu, size, size)) & 0xffff;
    const tempFlags = frame !== null ? frame.getInt32(at + 20, true) * TWO32 + frame.getUint32(at + 16, true) : readStack(cpu, 2 * size, size);
    if (!cpu.longMode && tempFlags & VM && cpu.cpl === 0) throw new NotModelled(`${what} to virtual-8086 mode is not modelled by this CPU`);
    // IA-32e mode checks a null CS and a non-canonical return RIP before reading any descriptor (SDM IRET, IA-32e-MODE-RETURN).
    if (cpu.longMode) {
      if ((tempCs & 0xfffc) === 0) throw generalProtection(0, `${what}: the return CS is null`);
      if (!isCanonical(tempRip)) throw generalProtection(0, `${what}: return RIP ${hex(tempRip)} is not canonical`);
    }
    const d = checkReturnCode(cpu, tempCs, what, 'iret');
    const newCpl = tempCs & 3;
    const to64 = cpu.longMode && (d.attrs & SEG_L) !== 0;
    const popStack = in64 || newCpl > cpu.cpl;
    // The new RSP as two halves: IRETQ loads any 64-bit value, canonical or not, and a number holds only 53 bits.
    let tempSp = 0;
    let tempSpHi = 0;
    let tempSs = 0;
    let ssDesc: Descriptor | null = null;
    if (popStack) {
      if (frame !== null) {
        tempSp = frame.getInt32(at + 24, true);
        tempSpHi = frame.getInt32(at + 28, true);
      } else {
        tempSp = cpu.peek(3 * size, size);
        if (size === 8) tempSpHi = cpu.tHi;
      }
      tempSs = (frame !== null ? frame.getUint32(at + 32, true) : readStack(cpu, 4 * size, size)) & 0xffff;
      ssDesc = returnStack(cpu, tempSs, newCpl, to64, what);
    }
    // The return RIP: canonical for 64-bit code (already checked first in IA-32e mode), within CS's limit otherwise.
    let rip: number;
    if (to64) {
      rip = size === 8 ? tempRip : size === 4 ? tempRip >>> 0 : tempRip & 0xffff;
      if (!isCanonical(rip)) throw generalProtection(0, `${what}: return RIP ${hex(rip)} is not canonical`);
    } else {
      rip = size === 2 ? tempRip & 0xffff : size === 4 ? tempRip >>> 0 : tempRip;
      if (rip > d.limit || rip < 0) throw generalProtection(0, `${what}: return EIP ${hex(rip)} is beyond the return CS's limit ${hex(d.limit)}`);
    }
    // The accessed bits are written first: a fault there leaves the state untouched.
    markAccessed(cpu, d);
    if (ssDesc) markAccessed(cpu, ssDesc);
    // Commit (no fault can happen past this point).
    const mask = iretFlagsMask(cpu, size);
    const oldCpl = cpu.cpl;
    cpu.flags = ((cpu.flags & ~mask) | (tempFlags & mask) | FIXED1) & ~VM;
    cpu.keepRf = (cpu.flags & RF) !== 0;
    cpu.nmiBlocked = false;
    fillSeg(cpu, SEG_CS, tempCs, d);
    if (popStack) {
      if (ssDesc) fillSeg(cpu, SEG_SS, tempSs, ssDesc);
      else {
        const ss = cpu.seg[SEG_SS];
        nullSegment(ss, tempSs);
        ss.attrs = SEG_UNUSABLE | SEG_DB | (newCpl << SEG_DPL_SHIFT);
      }
      if (in64 || to64) {
        cpu.lo[4] = size === 2 ? tempSp & 0xffff : tempSp;
        cpu.hi[4] = size === 8 ? tempSpHi : 0;
      } else if (ssDesc && ssDesc.attrs & SEG_DB) {
        cpu.lo[4] = tempSp;
        cpu.hi[4] = 0;
      } else cpu.lo[4] = (cpu.lo[4] & ~0xffff) | (tempSp & 0xffff);
    } else {
      cpu.setSp(cpu.wrapSp(cpu.sp() + 3 * size));
    }
    cpu.rip = rip;
    cpu.updateMode();
    if (newCpl > oldCpl) nullInaccessibleDataSegments(cpu, newCpl);
  };
}


export const iretOps: Record<string, Factory> = {
  IRET: iret(2),
  IRETD: iret(4),
  IRETQ: iret(8),
};

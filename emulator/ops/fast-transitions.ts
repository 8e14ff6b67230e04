/**
 * INT n and IRETQ without a change of privilege in 64-bit mode, for the common case only: the gate
 * and descriptors come from the table cache, their checks pass (memoized while the cache's
 * generation stands), no stack switch or IST, the frame lies in one page the TLB maps, and every
 * accessed bit is already set. Each function changes nothing and returns false when anything
 * else holds; the caller then takes the general path (exceptions.ts, iret.ts), which raises the
 * faults. When it returns true, the state is what the general path would have produced.
 */
import { FIXED1, IF, NT, RF, TF, VM } from '../arch/rflags.ts';
import { SEG_ACCESSED, SEG_CODE, SEG_CONFORMING, SEG_CS, SEG_DB, SEG_DPL_SHIFT, SEG_L, SEG_P, SEG_S, SEG_SS, SEG_UNUSABLE, SYS_INT_GATE, SYS_TRAP_GATE, type Descriptor } from '../arch/segments.ts';
import { CR0_PE } from '../arch/control-registers.ts';
import { TWO32 } from '../arch/registers.ts';
import { isCanonical, type Cpu, type Segment } from '../cpu/state.ts';
import { isWritableData } from './segments.ts';
import type { CheckedGate, CheckedReturn } from '../cpu/transition-memo.ts';
import { frameView, iretFlagsMask } from './iret-frame.ts';

/** Off only in tests, to compare the fast path with the general one. */
export const fastTransitions = { enabled: true };

const dplOf = (attrs: number): number => (attrs >> SEG_DPL_SHIFT) & 3;

/** A GDT descriptor the cache holds for `sel` (TI = 0, within the limit), or null. */
function cachedGdtDescriptor(cpu: Cpu, sel: number): Descriptor | null {
  if ((sel & 0xfffc) === 0 || sel & 4 || (sel & ~7) + 7 > cpu.gdtrLimit) return null;
  return cpu.descriptorCache.get(cpu.gdtrBase + (sel & ~7)) ?? null;
}

/** The flags a delivery through an interrupt or a trap gate leaves as they were (deliver64). */
const TRAP_GATE_KEEPS = ~(TF | NT | RF | VM);
const INT_GATE_KEEPS = ~(TF | NT | RF | VM | IF);

/** The checks readGate and handlerCode make for a software interrupt, all passing, to a handler at the same CPL without IST. */
function checkGate(cpu: Cpu, entry: CheckedGate, at: number): boolean {
  const gate = cpu.gateCache.get(at);
  if (gate === undefined || !gate.long) return false;
  const cpl = cpu.cpl;
  if ((gate.rawType !== SYS_INT_GATE && gate.rawType !== SYS_TRAP_GATE) || gate.dpl < cpl || !gate.present || gate.ist !== 0) return false;
  const d = cachedGdtDescriptor(cpu, gate.selector);
  if (d === null) return false;
  const a = d.attrs;
  if ((a & (SEG_S | SEG_CODE | SEG_P | SEG_L | SEG_DB | SEG_ACCESSED)) !== (SEG_S | SEG_CODE | SEG_P | SEG_L | SEG_ACCESSED)) return false;
  if (dplOf(a) > cpl || (a & SEG_CONFORMING ? cpl : dplOf(a)) !== cpl) return false;
  if (!isCanonical(gate.offset)) return false;
  entry.generation = cpu.phys.tableGeneration;
  entry.at = at;
  entry.gdtrBase = cpu.gdtrBase;
  entry.gdtrLimit = cpu.gdtrLimit;
  entry.cpl = cpl;
  entry.offset = gate.offset;
  entry.selector = (gate.selector & 0xfffc) | cpl;
  entry.keeps = gate.type === SYS_INT_GATE ? INT_GATE_KEEPS : TRAP_GATE_KEEPS;
  entry.code = d;
  return true;
}

const sameHidden = (seg: Segment, selector: number, d: Descriptor): boolean =>
  seg.selector === selector && seg.attrs === d.attrs && seg.base === d.base && seg.limit === d.limit;

/** INT n (software, no error code, RFLAGS pushed as it is) in 64-bit mode, as deliver64 makes it. */
export function deliverSoftwareInterrupt64(cpu: Cpu, vector: number): boolean {
  if (!fastTransitions.enabled || cpu.codeBits !== 64 || cpu.flags & VM || vector * 16 + 15 > cpu.idtrLimit) return false;
  const at = cpu.idtrBase + vector * 16;
  const entry = cpu.transitions.gates[vector];
  if (
    entry.generation !== cpu.phys.tableGeneration ||
    entry.at !== at ||
    entry.cpl !== cpu.cpl ||
    entry.gdtrBase !== cpu.gdtrBase ||
    entry.gdtrLimit !== cpu.gdtrLimit
  ) {
    if (!checkGate(cpu, entry, at)) return false;
  }
  // A stack below 4 GiB (canonical throughout), aligned down to 16 bytes, the frame 40 bytes below.
  if (cpu.hi[4] !== 0) return false;
  const rsp = ((cpu.lo[4] & -16) >>> 0) - 40;
  if (rsp < 0) return false;
  // The current privilege's TLB is the handler's: the CPL does not change.
  const view = cpu.mem.hitWindow(rsp, 40, true);
  if (view === null) return false;
  const d = entry.code!;
  const o = cpu.mem.hitOff;
  const cs = cpu.seg[SEG_CS];
  view.setInt32(o + 32, cpu.seg[SEG_SS].selector, true);
  view.setInt32(o + 36, 0, true);
  view.setInt32(o + 24, cpu.lo[4], true);
  view.setInt32(o + 28, cpu.hi[4], true);
  view.setInt32(o + 16, cpu.flags, true);
  view.setInt32(o + 20, 0, true);
  view.setInt32(o + 8, cs.selector, true);
  view.setInt32(o + 12, 0, true);
  const rip = cpu.rip;
  const ripHi = rip >= 0 && rip < TWO32 ? 0 : Math.floor(rip / TWO32);
  view.setInt32(o, rip - ripHi * TWO32, true);
  view.setInt32(o + 4, ripHi, true);
  cpu.lo[4] = rsp;
  cpu.rip = entry.offset;
  cpu.flags &= entry.keeps;
  const selector = entry.selector;
  // The same CS again (the usual kernel-to-kernel INT): the modes derived from it stand.
  if (!sameHidden(cs, selector, d)) {
    cs.selector = selector;
    cs.base = d.base;
    cs.limit = d.limit;
    cs.attrs = d.attrs;
    cpu.updateMode();
  }
  return true;
}

/** The checks checkReturnCode and returnStack make for a return to 64-bit code at the same CPL, all passing. */
function checkReturn(cpu: Cpu, memo: CheckedReturn, csSel: number, ssSel: number): boolean {
  const cpl = cpu.cpl;
  if ((csSel & 3) !== cpl) return false;
  const code = cachedGdtDescriptor(cpu, csSel);
  if (code === null) return false;
  const a = code.attrs;
  if ((a & (SEG_S | SEG_CODE | SEG_P | SEG_L | SEG_DB | SEG_ACCESSED)) !== (SEG_S | SEG_CODE | SEG_P | SEG_L | SEG_ACCESSED)) return false;
  if (a & SEG_CONFORMING ? dplOf(a) > cpl : dplOf(a) !== cpl) return false;
  let stack: Descriptor | null = null;
  if ((ssSel & 0xfffc) === 0) {
    if (cpl === 3 || (ssSel & 3) !== cpl) return false;
  } else {
    if ((ssSel & 3) !== cpl) return false;
    stack = cachedGdtDescriptor(cpu, ssSel);
    if (stack === null) return false;
    const s = stack.attrs;
    if (!isWritableData(s) || dplOf(s) !== cpl || (s & (SEG_P | SEG_ACCESSED)) !== (SEG_P | SEG_ACCESSED)) return false;
  }
  memo.generation = cpu.phys.tableGeneration;
  memo.gdtrBase = cpu.gdtrBase;
  memo.gdtrLimit = cpu.gdtrLimit;
  memo.cpl = cpl;
  memo.cs = csSel;
  memo.ss = ssSel;
  memo.code = code;
  memo.stack = stack;
  return true;
}

const NOT_VM = ~VM;

/** IRETQ in 64-bit mode back to 64-bit code at the same CPL, NT clear, as iret.ts makes it. */
export function iretq64(cpu: Cpu): boolean {
  if (!fastTransitions.enabled || cpu.codeBits !== 64 || (cpu.cr0 & CR0_PE) === 0 || cpu.flags & (NT | VM)) return false;
  const frame = frameView(cpu);
  if (frame === null) return false;
  const o = cpu.mem.hitOff;
  const rip = frame.getInt32(o + 4, true) * TWO32 + frame.getUint32(o, true);
  const csSel = frame.getUint32(o + 8, true) & 0xffff;
  const ssSel = frame.getUint32(o + 32, true) & 0xffff;
  if (!isCanonical(rip)) return false;
  const memo = cpu.transitions.ret;
  if (
    memo.generation !== cpu.phys.tableGeneration ||
    memo.cs !== csSel ||
    memo.ss !== ssSel ||
    memo.cpl !== cpu.cpl ||
    memo.gdtrBase !== cpu.gdtrBase ||
    memo.gdtrLimit !== cpu.gdtrLimit
  ) {
    if (!checkReturn(cpu, memo, csSel, ssSel)) return false;
  }
  const code = memo.code!;
  const stack = memo.stack;
  const mask = iretFlagsMask(cpu, 8);
  cpu.flags = ((cpu.flags & ~mask) | (frame.getInt32(o + 16, true) & mask) | FIXED1) & NOT_VM;
  cpu.keepRf = (cpu.flags & RF) !== 0;
  cpu.nmiBlocked = false;
  const cs = cpu.seg[SEG_CS];
  const ss = cpu.seg[SEG_SS];
  const modeStands = sameHidden(cs, csSel, code) && (stack !== null ? sameHidden(ss, ssSel, stack) : ss.selector === ssSel && ss.base === 0 && ss.limit === 0 && ss.attrs === (SEG_UNUSABLE | SEG_DB | (cpu.cpl << SEG_DPL_SHIFT)));
  if (!modeStands) {
    const cpl = cpu.cpl;
    cs.selector = csSel;
    cs.base = code.base;
    cs.limit = code.limit;
    cs.attrs = code.attrs;
    ss.selector = ssSel;
    if (stack !== null) {
      ss.base = stack.base;
      ss.limit = stack.limit;
      ss.attrs = stack.attrs;
    } else {
      ss.base = 0;
      ss.limit = 0;
      ss.attrs = SEG_UNUSABLE | SEG_DB | (cpl << SEG_DPL_SHIFT);
    }
  }
  cpu.lo[4] = frame.getInt32(o + 24, true);
  cpu.hi[4] = frame.getInt32(o + 28, true);
  cpu.rip = rip;
  if (modeStands) cpu.updateAlignmentCheck();
  else cpu.updateMode();
  return true;
}

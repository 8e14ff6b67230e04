/**
 * Far transfers to code segments (Intel SDM Vol. 2A, JMP and CALL "far" in protected and IA-32e
 * mode; Vol. 2B, RET far): JMP/CALL through a far pointer or memory operand, directly or through
 * a call gate (with the stack switch and parameter copy of an inner-level CALL), RETF to the same
 * or an outer privilege level, LDS/LES/LFS/LGS/LSS, LAR/LSL/VERR/VERW. A TSS or task gate
 * selector switches tasks (ops/task.ts).
 */
import type { Cpu } from '../cpu/state.ts';
import { isCanonical } from '../cpu/state.ts';
import { SEG_CODE, SEG_CONFORMING, SEG_CS, SEG_DB, SEG_DPL_SHIFT, SEG_DS, SEG_ES, SEG_FS, SEG_GS, SEG_L, SEG_P, SEG_RW, SEG_S, SEG_SS, SEG_TYPE, SEG_UNUSABLE, SYS_CALL_GATE, SYS_CALL_GATE16, SYS_TSS_AVAILABLE } from '../arch/segments.ts';
import { generalProtection, hex, invalidTss, NotModelled, segmentNotPresent, stackFault } from '../arch/faults.ts';
import { OP_IMM, OP_MEM } from '../cpu/insn.ts';
import { addressOf, setReg, type Factory } from './operands.ts';
import { checkReturnCode, nullInaccessibleDataSegments } from './return-checks.ts';
import { farTaskSwitch } from './task.ts';
import { isWritableData, loadHidden, loadSegment, markAccessed, nullSegment, readDescriptor, type Descriptor } from './segments.ts';
import { TWO32 } from '../arch/registers.ts';


/** Checks a far JMP/CALL target code segment (SDM JMP: "IF segment type is code"). */
function targetCode(cpu: Cpu, sel: number, what: string): Descriptor {
  if ((sel & 0xfffc) === 0) throw generalProtection(0, `${what}: the target selector is null`);
  const d = readDescriptor(cpu, sel, `${what}: selector ${hex(sel)}`);
  const err = sel & 0xfffc;
  if ((d.attrs & SEG_S) === 0) {
    const type = d.attrs & SEG_TYPE;
    if ([1, 3, 5, 9, 11].includes(type)) throw new NotModelled(`${what}: selector ${hex(sel)} names a task gate or TSS (type ${type}): task switches are not modelled by this CPU`);
    throw generalProtection(err, `${what}: selector ${hex(sel)} names a system descriptor of type ${type}`);
  }
  if ((d.attrs & SEG_CODE) === 0) throw generalProtection(err, `${what}: selector ${hex(sel)} is not a code segment`);
  const dpl = (d.attrs >> SEG_DPL_SHIFT) & 3;
  const rpl = sel & 3;
  if (d.attrs & SEG_CONFORMING) {
    if (dpl > cpu.cpl) throw generalProtection(err, `${what}: conforming segment ${hex(sel)} has DPL ${dpl} above CPL ${cpu.cpl}`);
  } else if (rpl > cpu.cpl || dpl !== cpu.cpl) {
    throw generalProtection(err, `${what}: non-conforming segment ${hex(sel)} needs RPL <= CPL and DPL = CPL (RPL ${rpl}, DPL ${dpl}, CPL ${cpu.cpl})`);
  }
  if ((d.attrs & SEG_P) === 0) throw segmentNotPresent(err, `${what}: selector ${hex(sel)} is not present`);
  if (cpu.longMode && d.attrs & SEG_L && d.attrs & SEG_DB) throw generalProtection(err, `${what}: selector ${hex(sel)} has both L and D set`);
  return d;
}

function checkedOffset(cpu: Cpu, d: Descriptor, offset: number, what: string): number {
  if (cpu.longMode && d.attrs & SEG_L) {
    if (!isCanonical(offset)) throw generalProtection(0, `${what}: target ${hex(offset)} is not canonical`);
    return offset;
  }
  if (offset > d.limit || offset < 0) throw generalProtection(0, `${what}: target ${hex(offset)} is beyond the segment limit ${hex(d.limit)}`);
  return offset;
}

/** Loads CS, setting the descriptor's accessed bit as every segment load does (SDM Vol. 3A, 3.4.5.1). */
function loadCs(cpu: Cpu, selector: number, d: Descriptor): void {
  markAccessed(cpu, d);
  loadHidden(cpu.seg[SEG_CS], selector, d);
  cpu.updateMode();
}

/** Reads the far pointer operand: [offset, selector]. */
function farPointer(cpu: Cpu, raw: Parameters<Factory>[0], i: Parameters<ReturnType<Factory>>[1], size: number): [number, number] {
  const op = raw.ops[0];
  if (op.kind === OP_IMM) return [size === 2 ? op.immLo & 0xffff : op.immLo >>> 0, op.immHi & 0xffff];
  const a = addressOf(cpu, i, size + 2);
  let offset: number;
  if (size === 8) {
    const lo = cpu.mem.read64(a);
    offset = cpu.mem.hi * TWO32 + (lo >>> 0);
  } else offset = size === 4 ? cpu.mem.read32(a) >>> 0 : cpu.mem.read16(a);
  return [offset, cpu.mem.read16(a + size)];
}

interface CallGate {
  selector: number;
  offset: number;
  params: number;
  /** 2 for a 16-bit gate, 4 for a 32-bit gate, 8 for a 64-bit gate. */
  width: number;
}

/** Reads a call gate (type 4 or 12) named by a far JMP/CALL selector, with its checks; null when the selector is not a call gate. */
function callGate(cpu: Cpu, sel: number, what: string): CallGate | null {
  if ((sel & 0xfffc) === 0) return null;
  const d = readDescriptor(cpu, sel, `${what}: selector ${hex(sel)}`);
  const type = d.attrs & SEG_TYPE;
  if (d.attrs & SEG_S || (type !== 4 && type !== 12)) return null;
  const err = sel & 0xfffc;
  if (cpu.longMode && type !== 12) throw generalProtection(err, `${what}: selector ${hex(sel)} names a 16-bit call gate in IA-32e mode`);
  const dpl = (d.attrs >> SEG_DPL_SHIFT) & 3;
  if (dpl < cpu.cpl || dpl < (sel & 3)) throw generalProtection(err, `${what}: call gate ${hex(sel)} has DPL ${dpl}, below CPL ${cpu.cpl} or RPL ${sel & 3}`);
  if ((d.attrs & SEG_P) === 0) throw segmentNotPresent(err, `${what}: call gate ${hex(sel)} is not present`);
  const lo = cpu.mem.readAs(d.at, 4, false) >>> 0;
  const hi = cpu.mem.readAs(d.at + 4, 4, false) >>> 0;
  let offset = (lo & 0xffff) + (hi >>> 16) * 65536;
  if (cpu.longMode) {
    const upper = cpu.mem.readAs(d.at + 8, 4, false) | 0;
    const typeHigh = (cpu.mem.readAs(d.at + 12, 4, false) >>> 8) & 0x1f;
    if (typeHigh !== 0) throw generalProtection(err, `${what}: call gate ${hex(sel)} has a non-zero type in its upper half`);
    offset += upper * TWO32;
  }
  return { selector: lo >>> 16, offset: type === SYS_CALL_GATE16 ? offset & 0xffff : offset, params: hi & 0x1f, width: cpu.longMode ? 8 : type === SYS_CALL_GATE ? 4 : 2 };
}

/** The code segment a call gate names (SDM CALL: "CALL-GATE"): #GP/#NP with its selector. */
function gateTarget(cpu: Cpu, gate: CallGate, what: string): Descriptor {
  const sel = gate.selector;
  if ((sel & 0xfffc) === 0) throw generalProtection(0, `${what}: the call gate's code selector is null`);
  const d = readDescriptor(cpu, sel, `${what}: the call gate's code selector ${hex(sel)}`);
  const err = sel & 0xfffc;
  if ((d.attrs & SEG_S) === 0 || (d.attrs & SEG_CODE) === 0) throw generalProtection(err, `${what}: the call gate's selector ${hex(sel)} is not a code segment`);
  const dpl = (d.attrs >> SEG_DPL_SHIFT) & 3;
  if (dpl > cpu.cpl) throw generalProtection(err, `${what}: the call gate's code segment has DPL ${dpl}, above CPL ${cpu.cpl}`);
  if (cpu.longMode && (!(d.attrs & SEG_L) || d.attrs & SEG_DB)) throw generalProtection(err, `${what}: the call gate's code segment ${hex(sel)} is not 64-bit code`);
  if ((d.attrs & SEG_P) === 0) throw segmentNotPresent(err, `${what}: the call gate's code segment ${hex(sel)} is not present`);
  return d;
}

/** A stack pointer and selector for privilege level `pl` from the TSS (32-bit, 16-bit or 64-bit TSS). */
function innerStack(cpu: Cpu, pl: number): { sp: number; ss: number } {
  const tr = cpu.tr;
  const need = (off: number, n: number) => {
    if (tr.attrs & SEG_UNUSABLE || off + n - 1 > tr.limit) throw invalidTss(tr.selector & 0xfffc, `the TSS has no stack for privilege level ${pl}`);
  };
  if (cpu.longMode) {
    need(4 + pl * 8, 8);
    const lo = cpu.mem.readAs(tr.base + 4 + pl * 8, 4, false) >>> 0;
    const hi = cpu.mem.readAs(tr.base + 8 + pl * 8, 4, false) | 0;
    return { sp: hi * TWO32 + lo, ss: pl };
  }
  const tss32 = (tr.attrs & SEG_TYPE) >= SYS_TSS_AVAILABLE;
  const at = tss32 ? 4 + pl * 8 : 2 + pl * 4;
  need(at, tss32 ? 6 : 4);
  const sp = tss32 ? cpu.mem.readAs(tr.base + at, 4, false) >>> 0 : cpu.mem.readAs(tr.base + at, 2, false);
  const ss = cpu.mem.readAs(tr.base + at + (tss32 ? 4 : 2), 2, false);
  return { sp, ss };
}

/** Checks the inner stack segment from the TSS (#TS with its selector). */
function innerStackSegment(cpu: Cpu, ss: number, pl: number): Descriptor {
  const err = ss & 0xfffc;
  if (err === 0) throw invalidTss(0, `the TSS holds a null SS for privilege level ${pl}`);
  if ((ss & 3) !== pl) throw invalidTss(err, `the TSS's SS ${hex(ss)} has RPL ${ss & 3}, not ${pl}`);
  let d: Descriptor;
  try {
    d = readDescriptor(cpu, ss, `the TSS's SS ${hex(ss)}`);
  } catch {
    throw invalidTss(err, `the TSS's SS ${hex(ss)} is beyond its descriptor table`);
  }
  const t = d.attrs;
  if (!isWritableData(t) || ((t >> SEG_DPL_SHIFT) & 3) !== pl) throw invalidTss(err, `the TSS's SS ${hex(ss)} is not a writable data segment of DPL ${pl}`);
  if ((t & SEG_P) === 0) throw stackFault(err, `the TSS's SS ${hex(ss)} is not present`);
  return d;
}

/** CALL through a call gate: to the same level, or to an inner level with a stack switch and parameter copy. */
function callThroughGate(cpu: Cpu, gate: CallGate, what: string): void {
  const d = gateTarget(cpu, gate, what);
  const dpl = (d.attrs >> SEG_DPL_SHIFT) & 3;
  const conforming = (d.attrs & SEG_CONFORMING) !== 0;
  const w = gate.width;
  const rip = checkedOffset(cpu, d, gate.offset, what);
  const retIp = cpu.rip;
  const oldCs = cpu.seg[SEG_CS].selector;
  if (!conforming && dpl < cpu.cpl) {
    const { sp: newSp, ss: newSs } = innerStack(cpu, dpl);
    const ssDesc = cpu.longMode ? null : innerStackSegment(cpu, newSs, dpl);
    const oldSs = cpu.seg[SEG_SS].selector;
    const oldSp = cpu.sp();
    const params: number[] = [];
    for (let k = gate.params - 1; k >= 0 && !cpu.longMode; k--) params.push(cpu.peek(k * w, w));
    // Build the new stack with supervisor writes before changing any register.
    const big = cpu.longMode || (ssDesc !== null && (ssDesc.attrs & SEG_DB) !== 0);
    const base = ssDesc ? ssDesc.base : 0;
    let sp = newSp;
    const push = (value: number) => {
      sp = cpu.longMode ? sp - w : big ? (sp - w) >>> 0 : (sp - w) & 0xffff;
      if (!cpu.longMode && ssDesc && sp + w - 1 > ssDesc.limit) throw stackFault(newSs & 0xfffc, `${what}: the inner stack overflows SS's limit`);
      const h = Math.floor(value / TWO32);
      cpu.mem.writeAs(cpu.longMode ? sp : (base + sp) >>> 0, w, value - h * TWO32, h, false);
    };
    push(oldSs);
    push(oldSp);
    for (const p of params) push(p);
    push(oldCs);
    push(retIp);
    const ss = cpu.seg[SEG_SS];
    if (ssDesc) {
      markAccessed(cpu, ssDesc);
      loadHidden(ss, newSs, ssDesc);
    } else {
      nullSegment(ss, dpl);
      ss.attrs = SEG_UNUSABLE | SEG_DB | (dpl << SEG_DPL_SHIFT);
    }
    loadCs(cpu, (gate.selector & 0xfffc) | dpl, d);
    const h = Math.floor(sp / TWO32);
    if (cpu.longMode) {
      cpu.lo[4] = sp - h * TWO32;
      cpu.hi[4] = h;
    } else if (big) {
      cpu.lo[4] = sp;
      cpu.hi[4] = 0;
    } else cpu.lo[4] = (cpu.lo[4] & ~0xffff) | sp;
    cpu.rip = rip;
    return;
  }
  const saved = cpu.sp();
  try {
    cpu.push(w, oldCs, 0);
    const h = Math.floor(retIp / TWO32);
    cpu.push(w, retIp - h * TWO32, w === 8 ? h : 0);
  } catch (e) {
    cpu.setSp(saved);
    throw e;
  }
  loadCs(cpu, (gate.selector & 0xfffc) | cpu.cpl, d);
  cpu.rip = rip;
}

export const farJmp: Factory = (raw) => {
  // A memory far pointer reports its whole size (m16:16 = 4, m16:32 = 6, m16:64 = 10): the offset is 2 bytes less.
  const size = raw.ops[0].kind === OP_MEM ? raw.opSize - 2 : raw.ops[0].size;
  return (cpu, i) => {
    const [offset, sel] = farPointer(cpu, raw, i, size);
    if (farTaskSwitch(cpu, sel, 'JMP')) return;
    const gate = callGate(cpu, sel, 'JMP far');
    if (gate) {
      const gd = gateTarget(cpu, gate, 'JMP far');
      const gdpl = (gd.attrs >> SEG_DPL_SHIFT) & 3;
      if ((gd.attrs & SEG_CONFORMING) === 0 && gdpl !== cpu.cpl) throw generalProtection(gate.selector & 0xfffc, `JMP far: a call gate cannot change the privilege level (target DPL ${gdpl}, CPL ${cpu.cpl})`);
      const grip = checkedOffset(cpu, gd, gate.offset, 'JMP far');
      loadCs(cpu, (gate.selector & 0xfffc) | cpu.cpl, gd);
      cpu.rip = grip;
      return;
    }
    const d = targetCode(cpu, sel, 'JMP far');
    const rip = checkedOffset(cpu, d, offset, 'JMP far');
    loadCs(cpu, (sel & 0xfffc) | cpu.cpl, d);
    cpu.rip = rip;
  };
};

export const farCall: Factory = (raw) => {
  // A memory far pointer reports its whole size (m16:16 = 4, m16:32 = 6, m16:64 = 10): the offset is 2 bytes less.
  const size = raw.ops[0].kind === OP_MEM ? raw.opSize - 2 : raw.ops[0].size;
  return (cpu, i) => {
    const [offset, sel] = farPointer(cpu, raw, i, size);
    if (farTaskSwitch(cpu, sel, 'CALL')) return;
    const gate = callGate(cpu, sel, 'CALL far');
    if (gate) {
      callThroughGate(cpu, gate, 'CALL far');
      return;
    }
    const d = targetCode(cpu, sel, 'CALL far');
    const rip = checkedOffset(cpu, d, offset, 'CALL far');
    const sp = cpu.sp();
    const ret = cpu.rip;
    const h = Math.floor(ret / TWO32);
    try {
      cpu.push(size, cpu.seg[SEG_CS].selector, 0);
      cpu.push(size, ret - h * TWO32, size === 8 ? h : 0);
    } catch (e) {
      cpu.setSp(sp);
      throw e;
    }
    loadCs(cpu, (sel & 0xfffc) | cpu.cpl, d);
    cpu.rip = rip;
  };
};

/** RET far (SDM Vol. 2B, RET: "RETURN-TO-SAME-PRIVILEGE-LEVEL" and "RETURN-TO-OUTER-PRIVILEGE-LEVEL"). */
const farRet: Factory = (raw) => {
  const size = raw.opSize;
  const extra = raw.ops.length > 0 ? raw.ops[0].immLo & 0xffff : 0;
  return (cpu) => {
    const what = 'RETF';
    const lo = cpu.peek(0, size);
    const offset = size === 8 ? cpu.tHi * TWO32 + (lo >>> 0) : lo;
    const sel = cpu.peek(size, size) & 0xffff;
    const d = checkReturnCode(cpu, sel, what, 'ret');
    const rpl = sel & 3;
    if (rpl === cpu.cpl) {
      const rip = checkedOffset(cpu, d, offset, what);
      cpu.setSp(cpu.wrapSp(cpu.sp() + 2 * size + extra));
      loadCs(cpu, sel, d);
      cpu.rip = rip;
      return;
    }
    // Return to an outer level: SS:RSP follow the parameters.
    const spLo = cpu.peek(2 * size + extra, size);
    const newSp = size === 8 ? cpu.tHi * TWO32 + (spLo >>> 0) : spLo;
    const ssSel = cpu.peek(3 * size + extra, size) & 0xffff;
    const to64 = cpu.longMode && (d.attrs & SEG_L) !== 0;
    let ssDesc: Descriptor | null = null;
    if ((ssSel & 0xfffc) === 0) {
      if (!(to64 && rpl !== 3)) throw generalProtection(0, `${what}: the return SS is null`);
    } else {
      const serr = ssSel & 0xfffc;
      if ((ssSel & 3) !== rpl) throw generalProtection(serr, `${what}: return SS ${hex(ssSel)} has RPL ${ssSel & 3}, not ${rpl}`);
      ssDesc = readDescriptor(cpu, ssSel, `${what}: return SS ${hex(ssSel)}`);
      const t = ssDesc.attrs;
      if (!isWritableData(t)) throw generalProtection(serr, `${what}: return SS ${hex(ssSel)} is not a writable data segment`);
      if (((t >> SEG_DPL_SHIFT) & 3) !== rpl) throw generalProtection(serr, `${what}: return SS ${hex(ssSel)} has DPL ${(t >> SEG_DPL_SHIFT) & 3}, not ${rpl}`);
      if ((t & SEG_P) === 0) throw stackFault(serr, `${what}: return SS ${hex(ssSel)} is not present`);
    }
    const rip = checkedOffset(cpu, d, offset, what);
    loadCs(cpu, sel, d);
    const ss = cpu.seg[SEG_SS];
    if (ssDesc) {
      markAccessed(cpu, ssDesc);
      loadHidden(ss, ssSel, ssDesc);
    } else {
      nullSegment(ss, ssSel);
      ss.attrs = SEG_UNUSABLE | SEG_DB | (rpl << SEG_DPL_SHIFT);
    }
    cpu.updateMode();
    cpu.setSp(cpu.wrapSp(newSp + extra));
    cpu.rip = rip;
    nullInaccessibleDataSegments(cpu, rpl);
  };
};

/** LDS/LES/LFS/LGS/LSS: load a far pointer (offset, then selector) into a segment register and a GPR. */
function loadFar(s: number): Factory {
  return (raw) => {
    const [d] = raw.ops;
    const size = d.size;
    return (cpu, i) => {
      const a = addressOf(cpu, i, size + 2);
      let lo: number;
      let hi = 0;
      if (size === 8) {
        lo = cpu.mem.read64(a);
        hi = cpu.mem.hi;
      } else lo = size === 4 ? cpu.mem.read32(a) : cpu.mem.read16(a);
      loadSegment(cpu, s, cpu.mem.read16(a + size));
      setReg(cpu, d.reg, size, lo, hi);
    };
  };
}

export const farOps: Record<string, Factory> = {
  RETF: farRet,
  LDS: loadFar(SEG_DS),
  LES: loadFar(SEG_ES),
  LFS: loadFar(SEG_FS),
  LGS: loadFar(SEG_GS),
  LSS: loadFar(SEG_SS),
};

/** The checks LAR, LSL, VERR and VERW share: the descriptor if it is visible at CPL and RPL, else null (ZF = 0). */
function visibleDescriptor(cpu: Cpu, sel: number, systemTypes: readonly number[]): { lo: number; hi: number; attrs: number; limit: number } | null {
  if ((sel & 0xfffc) === 0) return null;
  let d: Descriptor;
  try {
    d = readDescriptor(cpu, sel, 'descriptor check');
  } catch {
    return null;
  }
  const attrs = d.attrs;
  const dpl = (attrs >> SEG_DPL_SHIFT) & 3;
  if (attrs & SEG_S) {
    const conformingCode = (attrs & (SEG_CODE | SEG_CONFORMING)) === (SEG_CODE | SEG_CONFORMING);
    if (!conformingCode && (dpl < cpu.cpl || dpl < (sel & 3))) return null;
  } else {
    if (!systemTypes.includes(attrs & SEG_TYPE)) return null;
    if (dpl < cpu.cpl || dpl < (sel & 3)) return null;
  }
  const at = d.at;
  return { lo: cpu.mem.readAs(at, 4, false) >>> 0, hi: cpu.mem.readAs(at + 4, 4, false) >>> 0, attrs, limit: d.limit };
}

function selectorOf(cpu: Cpu, raw: Parameters<Factory>[0], i: Parameters<ReturnType<Factory>>[1]): number {
  const op = raw.ops[raw.ops.length - 1];
  return op.kind === OP_MEM ? cpu.mem.read16(addressOf(cpu, i, 2)) : cpu.lo[op.reg] & 0xffff;
}

function setZf(cpu: Cpu, on: boolean): void {
  cpu.flags = on ? cpu.flags | 0x40 : cpu.flags & ~0x40;
}

/** LAR: the access-rights bytes of a descriptor (Intel SDM Vol. 2A, LAR). */
const lar: Factory = (raw) => {
  const [d] = raw.ops;
  return (cpu, i) => {
    const v = visibleDescriptor(cpu, selectorOf(cpu, raw, i), cpu.longMode ? [2, 9, 11, 12] : [1, 2, 3, 4, 5, 9, 11, 12]);
    setZf(cpu, v !== null);
    if (v) setReg(cpu, d.reg, d.size, d.size === 2 ? v.hi & 0xff00 : v.hi & 0x00f0ff00, 0);
  };
};

/** LSL: a descriptor's limit in bytes (Intel SDM Vol. 2A, LSL). */
const lsl: Factory = (raw) => {
  const [d] = raw.ops;
  return (cpu, i) => {
    const v = visibleDescriptor(cpu, selectorOf(cpu, raw, i), cpu.longMode ? [2, 9, 11] : [1, 2, 3, 9, 11]);
    setZf(cpu, v !== null);
    if (v) setReg(cpu, d.reg, d.size, v.limit | 0, 0);
  };
};

/** VERR/VERW: is the segment readable/writable at CPL and RPL? */
function verify(write: boolean): Factory {
  return (raw) => (cpu, i) => {
    const v = visibleDescriptor(cpu, selectorOf(cpu, raw, i), []);
    const code = v !== null && (v.attrs & SEG_CODE) !== 0;
    const ok = v !== null && (v.attrs & SEG_S) !== 0 && (write ? !code && (v.attrs & SEG_RW) !== 0 : !code || (v.attrs & SEG_RW) !== 0);
    setZf(cpu, ok);
  };
}

farOps.LAR = lar;
farOps.LSL = lsl;
farOps.VERR = verify(false);
farOps.VERW = verify(true);

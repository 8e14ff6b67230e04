/**
 * System instructions: IRET in all widths (Intel SDM Vol. 2A, IRET/IRETD/IRETQ, protected and
 * IA-32e mode), SYSCALL/SYSRET, SWAPGS, descriptor-table loads and stores, control and debug
 * registers, MSRs, TLB and cache maintenance, FS/GS base instructions.
 */
import type { Cpu } from '../cpu/state.ts';
import { MSR, isCanonical } from '../cpu/state.ts';
import { CR0_PE, CR0_PG, CR4_DE, CR4_PAE, CR4_UMIP, EFER_LMA, EFER_LME, EFER_NXE, EFER_SCE } from '../arch/control-registers.ts';
import { SEG_CS, SEG_DB, SEG_DPL_SHIFT, SEG_DS, SEG_ES, SEG_FS, SEG_G, SEG_GS, SEG_L, SEG_P, SEG_S, SEG_SS, SEG_UNUSABLE } from '../arch/segments.ts';
import { AC, CF, DF, FIXED1, ID, IF, IOPL, NT, OF, PF, AF, RF, SF, TF, VIF, VIP, VM, ZF } from '../arch/rflags.ts';
import { generalProtection, hex, invalidOpcode, NotModelled, segmentNotPresent, stackFault } from '../arch/faults.ts';
import { OP_CR, OP_DR, OP_MEM, OP_REG, type Exec } from '../cpu/insn.ts';
import { addressOf, setReg, type Factory } from './operands.ts';
import { taskReturn } from './task.ts';
import { loadHidden, markAccessed, nullForOuterLevel, nullSegment, readDescriptor, type Descriptor } from './segments.ts';
import { TWO32 } from '../arch/registers.ts';

const RCX = 1;
const R11 = 11;

function requireCpl0(cpu: Cpu, what: string): void {
  if (cpu.cpl !== 0) throw generalProtection(0, `${what} is privileged: CPL is ${cpu.cpl}`);
}

const toBig = (lo: number, hi: number): bigint => (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
const signed64 = (v: bigint): number => Number(BigInt.asIntN(64, v));

/** Loads a segment register's hidden part from a descriptor. */
function fillSeg(cpu: Cpu, s: number, selector: number, d: { base: number; limit: number; attrs: number }): void {
  loadHidden(cpu.seg[s], selector, d);
}

// ---------------------------------------------------------------------------------------------
// IRET

/** The flags IRET may change: IF only when CPL <= IOPL, IOPL/VIF/VIP only at CPL 0 (SDM IRET, Operation). */
function iretFlagsMask(cpu: Cpu, size: number): number {
  let mask = CF | PF | AF | ZF | SF | TF | DF | OF | NT | RF | AC | ID;
  if (cpu.cpl <= (cpu.flags & IOPL) >> 12) mask |= IF;
  if (cpu.cpl === 0) mask |= IOPL | VIF | VIP;
  return size === 2 ? mask & 0xffff : mask;
}

function readStack(cpu: Cpu, offset: number, size: number): number {
  const lo = cpu.peek(offset, size);
  return size === 8 ? cpu.tHi * TWO32 + (lo >>> 0) : lo;
}

/** Checks the return CS (SDM IRET: "RETURN-FROM-PROTECTED-MODE"); returns its descriptor. */
function returnCode(cpu: Cpu, sel: number, what: string): Descriptor {
  if ((sel & 0xfffc) === 0) throw generalProtection(0, `${what}: the return CS is null`);
  const d = readDescriptor(cpu, sel, () => `${what}: return CS ${hex(sel)}`);
  const err = sel & 0xfffc;
  const rpl = sel & 3;
  const dpl = (d.attrs >> SEG_DPL_SHIFT) & 3;
  if ((d.attrs & SEG_S) === 0 || (d.attrs & 8) === 0) throw generalProtection(err, `${what}: return CS ${hex(sel)} is not a code segment`);
  if (rpl < cpu.cpl) throw generalProtection(err, `${what}: return CS ${hex(sel)} has RPL ${rpl}, below CPL ${cpu.cpl}`);
  const conforming = (d.attrs & 4) !== 0;
  if (conforming && dpl > rpl) throw generalProtection(err, `${what}: conforming return CS ${hex(sel)} has DPL ${dpl} above its RPL ${rpl}`);
  if (!conforming && dpl !== rpl) throw generalProtection(err, `${what}: return CS ${hex(sel)} has DPL ${dpl} but RPL ${rpl}`);
  if ((d.attrs & SEG_P) === 0) throw segmentNotPresent(err, `${what}: return CS ${hex(sel)} is not present`);
  // L = 1 with D = 1 is reserved in IA-32e mode; using such a code segment raises #GP (SDM Vol. 3A §5.2.1).
  if (cpu.longMode && d.attrs & SEG_L && d.attrs & SEG_DB) throw generalProtection(err, `${what}: return CS ${hex(sel)} has both L and D set`);
  return d;
}

/** Checks the return SS against the new CPL; null is allowed only when returning to 64-bit mode below CPL 3. */
function returnStack(cpu: Cpu, sel: number, newCpl: number, to64: boolean, what: string): Descriptor | null {
  if ((sel & 0xfffc) === 0) {
    if (cpu.longMode && to64 && newCpl !== 3 && (sel & 3) === newCpl) return null;
    throw generalProtection(0, `${what}: the return SS is null (allowed only when returning to 64-bit code below CPL 3)`);
  }
  const err = sel & 0xfffc;
  if ((sel & 3) !== newCpl) throw generalProtection(err, `${what}: return SS ${hex(sel)} has RPL ${sel & 3} but the return CS has RPL ${newCpl}`);
  const d = readDescriptor(cpu, sel, () => `${what}: return SS ${hex(sel)}`);
  const t = d.attrs;
  if ((t & SEG_S) === 0 || t & 8 || (t & 2) === 0) throw generalProtection(err, `${what}: return SS ${hex(sel)} is not a writable data segment`);
  const dpl = (t >> SEG_DPL_SHIFT) & 3;
  if (dpl !== newCpl) throw generalProtection(err, `${what}: return SS ${hex(sel)} has DPL ${dpl} but the return CS has RPL ${newCpl}`);
  if ((t & SEG_P) === 0) throw stackFault(err, `${what}: return SS ${hex(sel)} is not present`);
  return d;
}

/** On a return to an outer level, data segment registers the new CPL may not use are nulled (SDM IRET, RETURN-TO-OUTER-PRIVILEGE-LEVEL). */
function nullInaccessible(cpu: Cpu, newCpl: number): void {
  for (const s of [SEG_ES, SEG_DS, SEG_FS, SEG_GS]) {
    const seg = cpu.seg[s];
    if ((seg.selector & 0xfffc) === 0 || seg.attrs & SEG_UNUSABLE) continue;
    const dpl = (seg.attrs >> SEG_DPL_SHIFT) & 3;
    const conformingCode = (seg.attrs & 0xc) === 0xc;
    if (dpl < newCpl && !conformingCode) nullForOuterLevel(cpu, s);
  }
}

function iret(size: number): Factory {
  return (raw) => (cpu) => {
    const what = raw.mnemonic;
    if ((cpu.cr0 & CR0_PE) === 0) throw new NotModelled(`${what} in real mode is not modelled by this CPU`);
    if (cpu.flags & VM) throw new NotModelled(`${what} in virtual-8086 mode is not modelled by this CPU`);
    if (cpu.flags & NT) {
      if (cpu.longMode) throw generalProtection(0, `${what}: NT is set in IA-32e mode`);
      taskReturn(cpu);
      cpu.nmiBlocked = false;
      return;
    }
    const in64 = cpu.codeBits === 64;
    const tempRip = readStack(cpu, 0, size);
    const tempCs = readStack(cpu, size, size) & 0xffff;
    const tempFlags = readStack(cpu, 2 * size, size);
    if (!cpu.longMode && tempFlags & VM && cpu.cpl === 0) throw new NotModelled(`${what} to virtual-8086 mode is not modelled by this CPU`);
    // IA-32e mode checks a null CS and a non-canonical return RIP before reading any descriptor (SDM IRET, IA-32e-MODE-RETURN).
    if (cpu.longMode) {
      if ((tempCs & 0xfffc) === 0) throw generalProtection(0, `${what}: the return CS is null`);
      if (!isCanonical(tempRip)) throw generalProtection(0, `${what}: return RIP ${hex(tempRip)} is not canonical`);
    }
    const d = returnCode(cpu, tempCs, what);
    const newCpl = tempCs & 3;
    const to64 = cpu.longMode && (d.attrs & SEG_L) !== 0;
    const popStack = in64 || newCpl > cpu.cpl;
    let tempSp = 0;
    let tempSs = 0;
    let ssDesc: Descriptor | null = null;
    if (popStack) {
      tempSp = readStack(cpu, 3 * size, size);
      tempSs = readStack(cpu, 4 * size, size) & 0xffff;
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
        const v = size === 8 ? tempSp : size === 4 ? tempSp >>> 0 : tempSp & 0xffff;
        const h = Math.floor(v / TWO32);
        cpu.lo[4] = v - h * TWO32;
        cpu.hi[4] = h;
      } else if (ssDesc && ssDesc.attrs & SEG_DB) {
        cpu.lo[4] = tempSp;
        cpu.hi[4] = 0;
      } else cpu.lo[4] = (cpu.lo[4] & ~0xffff) | (tempSp & 0xffff);
    } else {
      cpu.setSp(cpu.wrapSp(cpu.sp() + 3 * size));
    }
    cpu.rip = rip;
    cpu.updateMode();
    if (newCpl > oldCpl) nullInaccessible(cpu, newCpl);
  };
}

// ---------------------------------------------------------------------------------------------
// SYSCALL / SYSRET / SWAPGS (Intel semantics: SYSCALL and SYSRET only in 64-bit mode)

/**
 * The MSRs SYSCALL and SYSRET read, as numbers: converted from the stored bigint only when its
 * value changed (the conversion allocates; the comparison does not).
 */
let starValue = 0n;
let starSyscallCs = 0;
let starSysretCs = 0;
let lstarValue = 0n;
let lstarRip = 0;
let sfmaskValue = 0n;
let sfmaskBits = 0;

function readStar(cpu: Cpu): void {
  const v = cpu.msr.get(MSR.STAR) ?? 0n;
  if (v !== starValue) {
    starValue = v;
    starSyscallCs = Number((v >> 32n) & 0xffffn);
    starSysretCs = Number((v >> 48n) & 0xffffn);
  }
}

function lstar(cpu: Cpu): number {
  const v = cpu.msr.get(MSR.LSTAR) ?? 0n;
  if (v !== lstarValue) {
    lstarValue = v;
    lstarRip = signed64(v);
  }
  return lstarRip;
}

function sfmask(cpu: Cpu): number {
  const v = cpu.msr.get(MSR.SFMASK) ?? 0n;
  if (v !== sfmaskValue) {
    sfmaskValue = v;
    sfmaskBits = Number(v & 0xffffffffn);
  }
  return sfmaskBits;
}

function flatCode(cpu: Cpu, selector: number, dpl: number, long: boolean): void {
  fillSeg(cpu, SEG_CS, selector, { base: 0, limit: 0xffffffff, attrs: 0xb | SEG_S | (dpl << SEG_DPL_SHIFT) | SEG_P | SEG_G | (long ? SEG_L : SEG_DB) });
}

function flatStack(cpu: Cpu, selector: number, dpl: number): void {
  fillSeg(cpu, SEG_SS, selector, { base: 0, limit: 0xffffffff, attrs: 0x3 | SEG_S | (dpl << SEG_DPL_SHIFT) | SEG_P | SEG_G | SEG_DB });
}

const syscall: Factory = () => (cpu) => {
  if (!cpu.longMode || cpu.codeBits !== 64) throw invalidOpcode('SYSCALL: only valid in 64-bit mode on this CPU');
  if ((cpu.efer & EFER_SCE) === 0) throw invalidOpcode('SYSCALL: EFER.SCE is clear');
  const rip = cpu.rip;
  const h = Math.floor(rip / TWO32);
  cpu.lo[RCX] = rip - h * TWO32;
  cpu.hi[RCX] = h;
  cpu.lo[R11] = cpu.flags & ~RF;
  cpu.hi[R11] = 0;
  const fmask = sfmask(cpu);
  cpu.flags = ((cpu.flags & ~fmask) & ~RF) | FIXED1;
  readStar(cpu);
  const sel = starSyscallCs;
  flatCode(cpu, sel & 0xfffc, 0, true);
  flatStack(cpu, (sel + 8) & 0xfffc, 0);
  cpu.rip = lstar(cpu);
  cpu.updateMode();
  // A single-step trap follows the RFLAGS left after IA32_FMASK (so a kernel that masks TF is not stepped).
  cpu.stepFromResult = ((cpu.lo[R11] | cpu.flags) & TF) !== 0;
};

const sysret: Factory = (raw) => (cpu) => {
  if (!cpu.longMode || cpu.codeBits !== 64) throw invalidOpcode('SYSRET: only valid in 64-bit mode');
  if ((cpu.efer & EFER_SCE) === 0) throw invalidOpcode('SYSRET: EFER.SCE is clear');
  requireCpl0(cpu, 'SYSRET');
  readStar(cpu);
  const sel = starSysretCs;
  const wide = raw.mnemonic === 'SYSRETQ' || raw.opSize === 8;
  const rcx = cpu.hi[RCX] * TWO32 + (cpu.lo[RCX] >>> 0);
  // Intel processors check RCX before leaving ring 0: the #GP is taken at CPL 0.
  if (wide && !isCanonical(rcx)) throw generalProtection(0, `SYSRET: RCX ${hex(rcx)} is not canonical`);
  const oldFlags = cpu.flags;
  cpu.flags = ((cpu.lo[R11] & 0x3c7fd7) | FIXED1) >>> 0;
  if (wide) flatCode(cpu, ((sel + 16) & 0xfffc) | 3, 3, true);
  else flatCode(cpu, (sel & 0xfffc) | 3, 3, false);
  flatStack(cpu, ((sel + 8) & 0xfffc) | 3, 3);
  cpu.rip = wide ? rcx : cpu.lo[RCX] >>> 0;
  cpu.updateMode();
  // Restoring TF from R11 traps right after SYSRET, at the user's RIP (unlike IRET).
  cpu.stepFromResult = ((oldFlags | cpu.flags) & TF) !== 0;
};

/** SYSENTER (Intel SDM Vol. 2B): flat ring-0 CS/SS from IA32_SYSENTER_CS, ESP/EIP from the MSRs; VM, IF, RF cleared. */
const sysenter: Factory = () => (cpu) => {
  if ((cpu.cr0 & CR0_PE) === 0) throw generalProtection(0, 'SYSENTER: not in protected mode');
  const cs = Number((cpu.msr.get(MSR.SYSENTER_CS) ?? 0n) & 0xffffn);
  if ((cs & 0xfffc) === 0) throw generalProtection(0, 'SYSENTER: IA32_SYSENTER_CS is null');
  cpu.flags &= ~(VM | IF | RF);
  const long = cpu.longMode;
  flatCode(cpu, cs & 0xfffc, 0, long);
  flatStack(cpu, (cs + 8) & 0xfffc, 0);
  const esp = cpu.msr.get(MSR.SYSENTER_ESP) ?? 0n;
  const eip = cpu.msr.get(MSR.SYSENTER_EIP) ?? 0n;
  if (long) {
    const v = signed64(esp);
    const h = Math.floor(v / TWO32);
    cpu.lo[4] = v - h * TWO32;
    cpu.hi[4] = h;
    cpu.rip = signed64(eip);
  } else {
    cpu.lo[4] = Number(esp & 0xffffffffn) | 0;
    cpu.hi[4] = 0;
    cpu.rip = Number(eip & 0xffffffffn);
  }
  cpu.updateMode();
};

/** SYSEXIT: back to ring 3 with CS = SYSENTER_CS + 16 (+32 for the 64-bit form), ESP = ECX, EIP = EDX. */
const sysexit: Factory = (raw) => (cpu) => {
  if ((cpu.cr0 & CR0_PE) === 0) throw generalProtection(0, 'SYSEXIT: not in protected mode');
  requireCpl0(cpu, 'SYSEXIT');
  const cs = Number((cpu.msr.get(MSR.SYSENTER_CS) ?? 0n) & 0xffffn);
  if ((cs & 0xfffc) === 0) throw generalProtection(0, 'SYSEXIT: IA32_SYSENTER_CS is null');
  const wide = raw.mnemonic === 'SYSEXITQ' || raw.opSize === 8;
  let rsp: number;
  let rip: number;
  if (wide) {
    rsp = cpu.hi[1] * TWO32 + (cpu.lo[1] >>> 0);
    rip = cpu.hi[2] * TWO32 + (cpu.lo[2] >>> 0);
    if (!isCanonical(rsp) || !isCanonical(rip)) throw generalProtection(0, `SYSEXIT: ${isCanonical(rsp) ? `RDX ${hex(rip)}` : `RCX ${hex(rsp)}`} is not canonical`);
  } else {
    rsp = cpu.lo[1] >>> 0;
    rip = cpu.lo[2] >>> 0;
  }
  flatCode(cpu, ((cs + (wide ? 32 : 16)) & 0xfffc) | 3, 3, wide);
  flatStack(cpu, ((cs + (wide ? 40 : 24)) & 0xfffc) | 3, 3);
  const h = Math.floor(rsp / TWO32);
  cpu.lo[4] = rsp - h * TWO32;
  cpu.hi[4] = h;
  cpu.rip = rip;
  cpu.updateMode();
};

const swapgs: Factory = () => (cpu) => {
  if (cpu.codeBits !== 64) throw invalidOpcode('SWAPGS: only valid in 64-bit mode');
  requireCpl0(cpu, 'SWAPGS');
  const kernel = cpu.msr.get(MSR.KERNEL_GS_BASE) ?? 0n;
  cpu.msr.set(MSR.KERNEL_GS_BASE, BigInt.asUintN(64, BigInt(cpu.seg[SEG_GS].base)));
  cpu.seg[SEG_GS].base = signed64(kernel);
};

// ---------------------------------------------------------------------------------------------
// Descriptor tables

function tableLoad(which: 'gdtr' | 'idtr'): Factory {
  return (raw) => {
    if (raw.ops[0].kind !== OP_MEM) return () => { throw invalidOpcode(`${raw.mnemonic}: the operand must be memory`); };
    return (cpu, i) => {
      requireCpl0(cpu, raw.mnemonic);
      const a = addressOf(cpu, i, 10);
      const limit = cpu.mem.read16(a);
      let base: number;
      if (cpu.codeBits === 64) {
        const lo = cpu.mem.read64(a + 2);
        base = cpu.mem.hi * TWO32 + (lo >>> 0);
      } else {
        base = cpu.mem.read32(a + 2) >>> 0;
        if (raw.opSize === 2) base &= 0xffffff;
      }
      if (which === 'gdtr') {
        cpu.gdtrBase = base;
        cpu.gdtrLimit = limit;
      } else {
        cpu.idtrBase = base;
        cpu.idtrLimit = limit;
      }
    };
  };
}


/** UMIP (Intel SDM Vol. 3A §2.5, CR4.UMIP): SGDT, SIDT, SLDT, SMSW and STR raise #GP(0) at CPL > 0. */
function checkUmip(cpu: Cpu, what: string): void {
  if (cpu.cpl > 0 && cpu.cr4 & CR4_UMIP) throw generalProtection(0, `${what} at CPL ${cpu.cpl} with CR4.UMIP set`);
}

function tableStore(which: 'gdtr' | 'idtr'): Factory {
  return (raw) => {
    if (raw.ops[0].kind !== OP_MEM) return () => { throw invalidOpcode(`${raw.mnemonic}: the operand must be memory`); };
    return (cpu, i) => {
      checkUmip(cpu, raw.mnemonic);
      const a = addressOf(cpu, i, 10);
      const base = which === 'gdtr' ? cpu.gdtrBase : cpu.idtrBase;
      const limit = which === 'gdtr' ? cpu.gdtrLimit : cpu.idtrLimit;
      cpu.mem.probeWrite(a, cpu.codeBits === 64 ? 10 : 6);
      cpu.mem.write16(a, limit);
      if (cpu.codeBits === 64) {
        const h = Math.floor(base / TWO32);
        cpu.mem.write64(a + 2, base - h * TWO32, h);
      } else cpu.mem.write32(a + 2, base);
    };
  };
}

function selectorOperand(cpu: Cpu, raw: Parameters<Factory>[0], i: Parameters<Exec>[1]): number {
  const op = raw.ops[0];
  if (op.kind === OP_MEM) return cpu.mem.read16(addressOf(cpu, i, 2));
  return cpu.lo[op.reg] & 0xffff;
}

/** LLDT and LTR: a system descriptor from the GDT (16 bytes in IA-32e mode). */
function loadSystem(which: 'ldtr' | 'tr'): Factory {
  return (raw) => (cpu, i) => {
    requireCpl0(cpu, raw.mnemonic);
    const sel = selectorOperand(cpu, raw, i);
    const seg = which === 'ldtr' ? cpu.ldtr : cpu.tr;
    if ((sel & 0xfffc) === 0) {
      if (which === 'tr') throw generalProtection(0, 'LTR: the selector is null');
      nullSegment(seg, sel);
      return;
    }
    const err = sel & 0xfffc;
    if (sel & 4) throw generalProtection(err, `${raw.mnemonic}: selector ${hex(sel)} refers to the LDT`);
    const d = readDescriptor(cpu, sel, raw.mnemonic, true);
    const type = d.attrs & 0xf;
    if (d.attrs & SEG_S) throw generalProtection(err, `${raw.mnemonic}: selector ${hex(sel)} names a code or data segment`);
    if (which === 'ldtr' && type !== 2) throw generalProtection(err, `LLDT: selector ${hex(sel)} names a descriptor of type ${type}, not an LDT`);
    if (which === 'tr' && !(type === 9 || (!cpu.longMode && type === 1))) {
      throw generalProtection(err, `LTR: selector ${hex(sel)} names a descriptor of type ${type}, not an available TSS`);
    }
    if (cpu.longMode && d.base !== 0 && !isCanonical(d.base)) throw generalProtection(err, `${raw.mnemonic}: base ${hex(d.base)} is not canonical`);
    if ((d.attrs & SEG_P) === 0) throw segmentNotPresent(err, `${raw.mnemonic}: selector ${hex(sel)} is not present`);
    if (which === 'tr') {
      cpu.mem.writeAs(d.at + 5, 1, cpu.mem.readAs(d.at + 5, 1, false) | 2, 0, false);
      d.attrs |= 2;
    }
    loadHidden(seg, sel, d);
  };
}

function storeSelector(which: 'ldtr' | 'tr'): Factory {
  return (raw) => {
    const op = raw.ops[0];
    return (cpu, i) => {
      checkUmip(cpu, raw.mnemonic);
      const sel = (which === 'ldtr' ? cpu.ldtr : cpu.tr).selector;
      if (op.kind === OP_MEM) cpu.mem.write16(addressOf(cpu, i, 2), sel);
      else setReg(cpu, op.reg, op.size === 8 ? 4 : op.size, sel);
    };
  };
}

// ---------------------------------------------------------------------------------------------
// Control and debug registers

const CR0_RESERVED_HI = true;
const CR4_KNOWN = 0x3f | (1 << 7) | (1 << 8) | (1 << 9) | (1 << 10) | (1 << 11) | (1 << 16) | (1 << 18) | (1 << 20) | (1 << 21);

function writeCr(cpu: Cpu, n: number, value: bigint): void {
  const v32 = Number(value & 0xffffffffn);
  switch (n) {
    case 0: {
      if (CR0_RESERVED_HI && value >> 32n !== 0n) throw generalProtection(0, `MOV CR0: bits 63:32 of ${hex(value)} are reserved`);
      if (v32 & CR0_PG && !(v32 & CR0_PE)) throw generalProtection(0, 'MOV CR0: PG set without PE');
      if (v32 & (1 << 29) && !(v32 & (1 << 30))) throw generalProtection(0, 'MOV CR0: NW set without CD');
      if (cpu.longMode && !(v32 & CR0_PG)) throw generalProtection(0, 'MOV CR0: clearing PG in IA-32e mode');
      if (v32 & CR0_PG && !(cpu.cr0 & CR0_PG) && cpu.efer & EFER_LME) {
        if (!(cpu.cr4 & CR4_PAE)) throw generalProtection(0, 'MOV CR0: enabling paging with EFER.LME needs CR4.PAE');
        cpu.efer |= EFER_LMA;
      }
      if (!(v32 & CR0_PG)) cpu.efer &= ~EFER_LMA;
      cpu.cr0 = (v32 | 0x10) >>> 0;
      break;
    }
    case 2:
      cpu.cr2 = signed64(value);
      return;
    case 3:
      if (cpu.longMode && value >> 52n !== 0n) throw generalProtection(0, `MOV CR3: reserved bits set in ${hex(value)}`);
      cpu.cr3 = Number(cpu.longMode ? value : value & 0xffffffffn);
      break;
    case 4: {
      if (value >> 32n !== 0n || v32 & ~CR4_KNOWN) throw generalProtection(0, `MOV CR4: reserved bits set in ${hex(value)}`);
      if (cpu.longMode && !(v32 & CR4_PAE)) throw generalProtection(0, 'MOV CR4: clearing PAE in IA-32e mode');
      cpu.cr4 = v32;
      break;
    }
    case 8:
      if (value >> 4n !== 0n) throw generalProtection(0, `MOV CR8: reserved bits set in ${hex(value)}`);
      cpu.cr8 = v32;
      return;
    default:
      throw invalidOpcode(`MOV: CR${n} does not exist`);
  }
  cpu.updateMode();
  cpu.mem.flush();
}

function readCr(cpu: Cpu, n: number): bigint {
  switch (n) {
    case 0: return BigInt(cpu.cr0 >>> 0);
    case 2: return BigInt.asUintN(64, BigInt(cpu.cr2));
    case 3: return BigInt(cpu.cr3);
    case 4: return BigInt(cpu.cr4 >>> 0);
    case 8: return BigInt(cpu.cr8);
    default: throw invalidOpcode(`MOV: CR${n} does not exist`);
  }
}

/** MOV to/from CRn and DRn (decoded as MOV with a control or debug register operand). */

/**
 * DR0-DR3 hold linear addresses (kept sign-extended like every linear address); DR6 and DR7 keep
 * their fixed bits (SDM Vol. 3B, 17.2.3-17.2.4). Enabled execute breakpoints are listed for the run loop.
 */
function writeDr(cpu: Cpu, n: number, v: bigint): void {
  if (n < 4) cpu.dr[n] = Number(BigInt.asIntN(64, v));
  else if (n === 6) cpu.dr[6] = (Number(v & 0xe00fn) | 0xffff0ff0) >>> 0;
  else cpu.dr[7] = (Number(v & 0xffff2bffn) | 0x400) >>> 0;
  const bps: number[] = [];
  const dr7 = cpu.dr[7];
  for (let k = 0; k < 4; k++) if ((dr7 >>> (2 * k)) & 3 && ((dr7 >>> (16 + 4 * k)) & 3) === 0) bps.push(k);
  cpu.codeBreakpoints = bps;
  cpu.attention = true;
}

export const movControl: Factory = (raw) => {
  const [d, s] = raw.ops;
  const toCr = d.kind === OP_CR || d.kind === OP_DR;
  const creg = toCr ? d : s;
  const gpr = toCr ? s : d;
  const isDebug = creg.kind === OP_DR;
  return (cpu) => {
    requireCpl0(cpu, `MOV ${isDebug ? 'DR' : 'CR'}${creg.reg}`);
    const wide = cpu.codeBits === 64;
    let n = creg.reg & 7;
    if (isDebug && (n === 4 || n === 5)) {
      // DR4/DR5 alias DR6/DR7 unless CR4.DE makes them undefined (SDM Vol. 3B, 17.2.2).
      if (cpu.cr4 & CR4_DE) throw invalidOpcode(`MOV DR${n}: CR4.DE is set, so DR${n} does not exist`);
      n += 2;
    }
    if (toCr) {
      const v = wide ? toBig(cpu.lo[gpr.reg], cpu.hi[gpr.reg]) : BigInt(cpu.lo[gpr.reg] >>> 0);
      if (isDebug) writeDr(cpu, n, v);
      else writeCr(cpu, creg.reg, v);
    } else {
      const v = isDebug ? (n < 4 ? BigInt.asUintN(64, BigInt(cpu.dr[n])) : BigInt(cpu.dr[n] >>> 0)) : readCr(cpu, creg.reg);
      if (wide) setReg(cpu, gpr.reg, 8, Number(v & 0xffffffffn) | 0, Number(v >> 32n) | 0);
      else setReg(cpu, gpr.reg, 4, Number(v & 0xffffffffn) | 0);
    }
  };
};

// ---------------------------------------------------------------------------------------------
// MSRs

const EFER_WRITABLE = EFER_SCE | EFER_LME | EFER_NXE;

function readMsr(cpu: Cpu, n: number): bigint {
  switch (n) {
    case MSR.EFER: return BigInt(cpu.efer >>> 0);
    case MSR.FS_BASE: return BigInt.asUintN(64, BigInt(cpu.seg[SEG_FS].base));
    case MSR.GS_BASE: return BigInt.asUintN(64, BigInt(cpu.seg[SEG_GS].base));
    case MSR.TSC: return BigInt(cpu.instructions) + (cpu.msr.get(MSR.TSC) ?? 0n);
    case MSR.STAR: case MSR.LSTAR: case MSR.CSTAR: case MSR.SFMASK: case MSR.KERNEL_GS_BASE: case MSR.TSC_AUX:
    case MSR.SYSENTER_CS: case MSR.SYSENTER_ESP: case MSR.SYSENTER_EIP: case MSR.APIC_BASE: case MSR.PAT:
      return cpu.msr.get(n) ?? (n === MSR.PAT ? 0x0007040600070406n : n === MSR.APIC_BASE ? 0xfee00900n : 0n);
    default:
      throw generalProtection(0, `RDMSR: MSR ${hex(n)} is not implemented by this CPU`);
  }
}

function writeMsr(cpu: Cpu, n: number, v: bigint): void {
  const canonical = (what: string) => {
    if (!isCanonical(signed64(v)) || BigInt.asIntN(64, v) !== BigInt(signed64(v))) throw generalProtection(0, `WRMSR: ${what} ${hex(v)} is not canonical`);
  };
  switch (n) {
    case MSR.EFER: {
      const v32 = Number(v & 0xffffffffn);
      if (v >> 32n !== 0n || v32 & ~(EFER_WRITABLE | EFER_LMA)) throw generalProtection(0, `WRMSR: reserved EFER bits set in ${hex(v)}`);
      if (cpu.cr0 & CR0_PG && (v32 & EFER_LME) !== (cpu.efer & EFER_LME)) throw generalProtection(0, 'WRMSR: EFER.LME cannot change while paging is on');
      cpu.efer = (v32 & EFER_WRITABLE) | (cpu.efer & EFER_LMA);
      cpu.updateMode();
      cpu.mem.flush();
      return;
    }
    case MSR.FS_BASE: canonical('FS base'); cpu.seg[SEG_FS].base = signed64(v); return;
    case MSR.GS_BASE: canonical('GS base'); cpu.seg[SEG_GS].base = signed64(v); return;
    case MSR.LSTAR: case MSR.CSTAR: case MSR.KERNEL_GS_BASE: case MSR.SYSENTER_ESP: case MSR.SYSENTER_EIP:
      canonical('the address');
      cpu.msr.set(n, v);
      return;
    case MSR.TSC:
      cpu.msr.set(n, BigInt.asUintN(64, v - BigInt(cpu.instructions)));
      return;
    case MSR.STAR: case MSR.SFMASK: case MSR.TSC_AUX: case MSR.SYSENTER_CS: case MSR.APIC_BASE: case MSR.PAT:
      cpu.msr.set(n, n === MSR.SFMASK || n === MSR.TSC_AUX ? v & 0xffffffffn : v);
      return;
    default:
      throw generalProtection(0, `WRMSR: MSR ${hex(n)} is not implemented by this CPU`);
  }
}

const rdmsr: Factory = () => (cpu) => {
  requireCpl0(cpu, 'RDMSR');
  const v = readMsr(cpu, cpu.lo[RCX] >>> 0);
  setReg(cpu, 0, 4, Number(v & 0xffffffffn) | 0);
  setReg(cpu, 2, 4, Number(v >> 32n) | 0);
};

const wrmsr: Factory = () => (cpu) => {
  requireCpl0(cpu, 'WRMSR');
  writeMsr(cpu, cpu.lo[RCX] >>> 0, toBig(cpu.lo[0], cpu.lo[2]));
};

// ---------------------------------------------------------------------------------------------
// FS/GS base instructions (need CR4.FSGSBASE, 64-bit mode)

function fsgsBase(seg: number, store: boolean): Factory {
  return (raw) => {
    const [op] = raw.ops;
    return (cpu) => {
      if (cpu.codeBits !== 64 || !(cpu.cr4 & (1 << 16))) throw invalidOpcode(`${raw.mnemonic}: needs 64-bit mode and CR4.FSGSBASE`);
      if (store) {
        const v = op.size === 8 ? signed64(toBig(cpu.lo[op.reg], cpu.hi[op.reg])) : cpu.lo[op.reg] >>> 0;
        if (!isCanonical(v)) throw generalProtection(0, `${raw.mnemonic}: ${hex(v)} is not canonical`);
        cpu.seg[seg].base = v;
      } else {
        const b = cpu.seg[seg].base;
        const h = Math.floor(b / TWO32);
        setReg(cpu, op.reg, op.size, b - h * TWO32, h);
      }
    };
  };
}

const privilegedNop = (name: string): Factory => () => (cpu) => requireCpl0(cpu, name);

export const systemOps: Record<string, Factory> = {
  IRET: iret(2),
  IRETD: iret(4),
  IRETQ: iret(8),
  SYSCALL: syscall,
  SYSRET: sysret,
  SYSRETQ: sysret,
  SWAPGS: swapgs,
  SYSENTER: sysenter,
  SYSEXIT: sysexit,
  SYSEXITQ: sysexit,
  LGDT: tableLoad('gdtr'),
  LIDT: tableLoad('idtr'),
  SGDT: tableStore('gdtr'),
  SIDT: tableStore('idtr'),
  LLDT: loadSystem('ldtr'),
  LTR: loadSystem('tr'),
  SLDT: storeSelector('ldtr'),
  STR: storeSelector('tr'),
  RDMSR: rdmsr,
  WRMSR: wrmsr,
  RDFSBASE: fsgsBase(SEG_FS, false),
  RDGSBASE: fsgsBase(SEG_GS, false),
  WRFSBASE: fsgsBase(SEG_FS, true),
  WRGSBASE: fsgsBase(SEG_GS, true),
  INVLPG: () => (cpu, i) => {
    requireCpl0(cpu, 'INVLPG');
    // The address is not accessed (a non-present page does not fault); only its translation goes.
    if (i.mem !== null) cpu.mem.invalidatePage(cpu.ea(i.mem, 1));
  },
  CLTS: () => (cpu) => {
    requireCpl0(cpu, 'CLTS');
    cpu.cr0 &= ~8;
  },
  WBINVD: privilegedNop('WBINVD'),
  INVD: privilegedNop('INVD'),
  SMSW: (raw) => (cpu, i) => {
    checkUmip(cpu, 'SMSW');
    const op = raw.ops[0];
    if (op.kind === OP_REG) setReg(cpu, op.reg, op.size, op.size === 2 ? cpu.cr0 & 0xffff : cpu.cr0);
    else cpu.mem.write16(addressOf(cpu, i, 2), cpu.cr0 & 0xffff);
  },
  LMSW: (raw) => (cpu, i) => {
    requireCpl0(cpu, 'LMSW');
    const op = raw.ops[0];
    const v = op.kind === OP_REG ? cpu.lo[op.reg] & 0xffff : cpu.mem.read16(addressOf(cpu, i, 2));
    // LMSW sets PE but cannot clear it; it changes MP, EM, TS.
    cpu.cr0 = ((cpu.cr0 & ~0xe) | (v & 0xf) | (cpu.cr0 & 1)) >>> 0;
  },
};


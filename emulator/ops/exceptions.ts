/**
 * Exception and interrupt delivery through the IDT (Intel SDM Vol. 3A, 6.12 and 6.14).
 * `deliverException` is the single entry point the run loop calls for every architectural fault
 * or trap. It delivers through a 64-bit IDT in IA-32e mode and a 32-bit IDT in protected mode,
 * escalates to #DF by the rules of SDM Table 6-5, and reports a triple fault when #DF itself
 * cannot be delivered.
 */
import { CpuFault, NotModelled, Vector, generalProtection, hex, invalidTss, segmentNotPresent, stackFault } from '../arch/faults.ts';
import { IF, NT, RF, TF, VM } from '../arch/rflags.ts';
import { SEG_CODE, SEG_CONFORMING, SEG_CS, SEG_DB, SEG_DPL_SHIFT, SEG_L, SEG_P, SEG_S, SEG_SS, SEG_TYPE, SEG_UNUSABLE, SYS_INT_GATE, SYS_INT_GATE16, SYS_TASK_GATE, SYS_TRAP_GATE, SYS_TRAP_GATE16, SYS_TSS_AVAILABLE, type Gate } from '../arch/segments.ts';
import { isCanonical, type Cpu } from '../cpu/state.ts';
import { isWritableData, loadHidden, markAccessed, readDescriptor, type Descriptor } from './segments.ts';
import { switchTask, tssThroughGate } from './task.ts';
import { TWO32 } from '../arch/registers.ts';

export interface DeliveryPolicy {
  /** When false, faults stop the run instead of going through the IDT. */
  deliverThroughIdt: boolean;
  /** Told about each fault raised while delivering another, and each #DF that replaces them (the debugger's triple-fault chain). */
  onNested?: (fault: CpuFault) => void;
}

/** Outcome of a delivery attempt: delivered, not delivered (stop with the fault), or a shutdown. */
export type Delivery = 'delivered' | 'stop' | 'triple-fault';


const CONTRIBUTORY = new Set<number>([Vector.DE, Vector.TS, Vector.NP, Vector.SS, Vector.GP]);

/** SDM Table 6-5: which second exception, raised while delivering a first, becomes #DF. */
function isDoubleFault(first: number, second: number): boolean {
  if (first === Vector.PF) return second === Vector.PF || CONTRIBUTORY.has(second);
  return CONTRIBUTORY.has(first) && CONTRIBUTORY.has(second);
}

export function deliverException(cpu: Cpu, fault: CpuFault, policy: DeliveryPolicy): Delivery {
  if (!policy.deliverThroughIdt || fault.vector < 0 || fault.vector > 255) return 'stop';
  let event = fault;
  for (;;) {
    try {
      deliver(cpu, event);
      return 'delivered';
    } catch (second) {
      if (!(second instanceof CpuFault)) throw second;
      // CR2 takes the address of every page fault as it is detected, also one that becomes #DF or a
      // shutdown (SDM Vol. 3A, 6.15 Interrupt 14): a #DF handler reads the stack page that failed.
      if (second.vector === Vector.PF && second.address !== undefined) cpu.cr2 = Number(BigInt.asIntN(64, second.address));
      // A fault raised while delivering a software interrupt is a fault on that INT instruction.
      if (event.software) cpu.rip = event.at;
      second.at = event.at;
      policy.onNested?.(second);
      if (second.vector < 0) throw new NotModelled(`while delivering ${event.name}: ${second.message}`);
      if (event.vector === Vector.DF) return 'triple-fault';
      if (isDoubleFault(event.vector, second.vector) && !event.isTrap) {
        event = new CpuFault(Vector.DF, `double fault: ${second.message} while delivering ${event.message}`, 0);
        event.at = second.at;
        policy.onNested?.(event);
      } else {
        // Benign combinations are handled serially: the new exception is delivered instead.
        event = second;
      }
    }
  }
}

/** EXT (bit 0 of a selector error code): the event was not caused by the program's own INT n, INT3 or INTO. */
const extOf = (f: CpuFault): number => (f.software ? 0 : 1);

function withExt(e: unknown, ext: number): unknown {
  if (e instanceof CpuFault && e.errorCode !== undefined && ext) return new CpuFault(e.vector, e.reason, e.errorCode | ext, e.address, e.isTrap, e.origin);
  return e;
}

/** Reads `size` bytes of a system structure (IDT, TSS) as a supervisor access. */
function sys(cpu: Cpu, lin: number, size: number): number {
  return size === 8 ? cpu.mem.readAs(lin, 4, false) >>> 0 : cpu.mem.readAs(lin, size, false) >>> 0;
}

/** The IDT entry at `at`, decoded (from the table cache when its bytes are unchanged). */
function gateAt(cpu: Cpu, at: number, long: boolean): Gate {
  const cached = cpu.gateCache.get(at);
  if (cached !== undefined && cached.long === long) return cached;
  const view = cpu.mem.hitView(at, long ? 16 : 8, false, false);
  const off = cpu.mem.hitOff;
  const lo = view !== null ? view.getUint32(off, true) : sys(cpu, at, 4);
  const hi = view !== null ? view.getUint32(off + 4, true) : sys(cpu, at + 4, 4);
  const rawType = (hi >>> 8) & 0x1f;
  let offset = (lo & 0xffff) + (hi >>> 16) * 65536;
  if (long) offset += (view !== null ? view.getInt32(off + 8, true) : sys(cpu, at + 8, 4) | 0) * TWO32;
  const gate: Gate = { selector: lo >>> 16, offset, type: rawType & 0xf, rawType, dpl: (hi >>> 13) & 3, ist: hi & 7, present: (hi & 0x8000) !== 0, long };
  if (view !== null) cpu.gateCache.put(at, gate);
  return gate;
}

function readGate(cpu: Cpu, fault: CpuFault, long: boolean): Gate {
  const v = fault.vector;
  const ext = extOf(fault);
  const size = long ? 16 : 8;
  const idtCode = v * 8 + 2 + ext;
  if (v * size + size - 1 > cpu.idtrLimit) throw generalProtection(idtCode, `vector ${v} is beyond the IDT limit ${hex(cpu.idtrLimit)}`);
  const gate = gateAt(cpu, cpu.idtrBase + v * size, long);
  const type = gate.rawType;
  const dpl = gate.dpl;
  if (long) {
    if (type !== SYS_INT_GATE && type !== SYS_TRAP_GATE) throw generalProtection(idtCode, `IDT entry ${v} has type ${type & 0xf}${type & 0x10 ? ' with S set' : ''}, not a 64-bit interrupt or trap gate`);
  } else if (type !== SYS_INT_GATE && type !== SYS_TRAP_GATE && type !== SYS_INT_GATE16 && type !== SYS_TRAP_GATE16 && type !== SYS_TASK_GATE) {
    throw generalProtection(idtCode, `IDT entry ${v} has type ${type & 0xf}, not an interrupt, trap or task gate`);
  }
  if (fault.software && dpl < cpu.cpl) throw generalProtection(v * 8 + 2, `INT ${hex(v)}: the gate's DPL ${dpl} is below CPL ${cpu.cpl}`);
  if (!gate.present) throw segmentNotPresent(idtCode, `IDT entry ${v} is not present`);
  return gate;
}

/** The handler's code segment (SDM 6.12.1.1): checks that raise #GP/#NP with the selector and EXT. */
function handlerCode(cpu: Cpu, gate: Gate, ext: number, long: boolean): Descriptor {
  const sel = gate.selector;
  if ((sel & 0xfffc) === 0) throw generalProtection(ext, `the gate's code selector is null`);
  let d: Descriptor;
  try {
    d = readDescriptor(cpu, sel, '', false, "the gate's code selector");
  } catch (e) {
    throw withExt(e, ext);
  }
  const err = (sel & 0xfffc) | ext;
  if ((d.attrs & SEG_S) === 0 || (d.attrs & SEG_CODE) === 0) throw generalProtection(err, `the gate's selector ${hex(sel)} does not name a code segment`);
  const dpl = (d.attrs >> SEG_DPL_SHIFT) & 3;
  if (dpl > cpu.cpl) throw generalProtection(err, `the handler's code segment DPL ${dpl} is above CPL ${cpu.cpl}`);
  if (long && (!(d.attrs & SEG_L) || d.attrs & SEG_DB)) throw generalProtection(err, `the handler's code segment ${hex(sel)} is not a 64-bit code segment`);
  if ((d.attrs & SEG_P) === 0) throw segmentNotPresent(err, `the handler's code segment ${hex(sel)} is not present`);
  return d;
}

/** The CPL a handler runs at: its code segment's DPL, or the current CPL in a conforming segment. */
const handlerCpl = (cpu: Cpu, d: Descriptor): number => (d.attrs & SEG_CONFORMING ? cpu.cpl : (d.attrs >> SEG_DPL_SHIFT) & 3);

/** Reads a stack pointer slot of the current TSS, with the limit check (#TS with TR's selector). */
function tssRead(cpu: Cpu, offset: number, size: number, ext: number): number {
  const tr = cpu.tr;
  if (tr.attrs & SEG_UNUSABLE || offset + size - 1 > tr.limit) {
    throw invalidTss((tr.selector & 0xfffc) | ext, `the TSS (limit ${hex(tr.limit)}) has no stack entry at offset ${hex(offset)}`);
  }
  if (size === 8) {
    const lo = cpu.mem.readAs(tr.base + offset, 4, false) >>> 0;
    const hi = cpu.mem.readAs(tr.base + offset + 4, 4, false) | 0;
    return hi * 4294967296 + lo;
  }
  return cpu.mem.readAs(tr.base + offset, size, false) >>> 0;
}

function deliver(cpu: Cpu, fault: CpuFault): void {
  if (fault.vector === Vector.PF && fault.address !== undefined) cpu.cr2 = Number(BigInt.asIntN(64, fault.address));
  if (cpu.flags & VM) throw new NotModelled('virtual-8086 mode is not modelled by this CPU');
  // An instruction breakpoint's #DB pushes RF as it is: the handler sets it to resume (SDM Vol. 3B, 17.3.1.1).
  const flags = fault.isTrap || fault.origin === 'debug-trap' ? cpu.flags : cpu.flags | RF;
  if (cpu.longMode) deliver64(cpu, fault, flags);
  else deliver32(cpu, fault, flags);
  // NMIs stay blocked until the next IRET (SDM Vol. 3A, 6.7.1).
  if (fault.origin === 'nmi') cpu.nmiBlocked = true;
}



/** Pushes one 8-byte slot of a 64-bit exception frame below `rsp`; returns the new RSP. */
function pushFrame64(cpu: Cpu, rsp: number, value: number, ext: number, user: boolean): number {
  const at = rsp - 8;
  if (!isCanonical(at)) throw stackFault(ext, `pushing the exception frame: ${hex(at)} is not canonical`);
  const high = Math.floor(value / TWO32);
  cpu.mem.writeAs(at, 8, value - high * TWO32, high, user);
  return at;
}

/** IA-32e mode: 64-bit gates, 16-byte aligned stack, SS:RSP always pushed, IST (SDM 6.14). */
/**
 * `flags` is the RFLAGS image to push: "for any fault-class exception except a debug exception
 * generated in response to an instruction breakpoint, the value pushed for RF is 1" (SDM Vol. 3B,
 * 17.3.1.1), including faults raised while delivering INT n; software interrupts push RF as it is.
 */
function deliver64(cpu: Cpu, fault: CpuFault, flags: number): void {
  const ext = extOf(fault);
  const gate = readGate(cpu, fault, true);
  const d = handlerCode(cpu, gate, ext, true);
  const newCpl = handlerCpl(cpu, d);
  if (!isCanonical(gate.offset)) throw generalProtection(ext, `the handler address ${hex(gate.offset)} is not canonical`);
  const oldCpl = cpu.cpl;
  const oldSs = cpu.seg[SEG_SS].selector;
  const oldRsp = cpu.hi[4] * TWO32 + (cpu.lo[4] >>> 0);
  let rsp = oldRsp;
  if (gate.ist) rsp = tssRead(cpu, 0x24 + (gate.ist - 1) * 8, 8, ext);
  else if (newCpl < oldCpl) rsp = tssRead(cpu, 4 + newCpl * 8, 8, ext);
  if (!isCanonical(rsp)) throw stackFault(ext, `the new stack pointer ${hex(rsp)} is not canonical`);
  // Exact for every integer below 2^53: ToInt32 keeps the low bits of a sign-extended address.
  rsp -= rsp & 15;
  const user = newCpl === 3;
  const frameSize = fault.errorCode !== undefined ? 48 : 40;
  const view = isCanonical(rsp - frameSize) ? cpu.mem.hitView(rsp - frameSize, frameSize, true, user) : null;
  if (view !== null) {
    // The whole frame lies in one page the TLB maps writable: the same stores, without a lookup each.
    const at = cpu.mem.hitOff + frameSize;
    view.setInt32(at - 8, oldSs, true);
    view.setInt32(at - 4, 0, true);
    view.setInt32(at - 16, cpu.lo[4], true);
    view.setInt32(at - 12, cpu.hi[4], true);
    view.setInt32(at - 24, flags, true);
    view.setInt32(at - 20, 0, true);
    view.setInt32(at - 32, cpu.seg[SEG_CS].selector, true);
    view.setInt32(at - 28, 0, true);
    const rip = cpu.rip;
    const ripHi = rip >= 0 && rip < TWO32 ? 0 : Math.floor(rip / TWO32);
    view.setInt32(at - 40, rip - ripHi * TWO32, true);
    view.setInt32(at - 36, ripHi, true);
    if (frameSize === 48) {
      view.setInt32(at - 48, fault.errorCode!, true);
      view.setInt32(at - 44, 0, true);
    }
    rsp -= frameSize;
  } else {
    rsp = pushFrame64(cpu, rsp, oldSs, ext, user);
    rsp = pushFrame64(cpu, rsp, oldRsp, ext, user);
    rsp = pushFrame64(cpu, rsp, flags, ext, user);
    rsp = pushFrame64(cpu, rsp, cpu.seg[SEG_CS].selector, ext, user);
    rsp = pushFrame64(cpu, rsp, cpu.rip, ext, user);
    if (fault.errorCode !== undefined) rsp = pushFrame64(cpu, rsp, fault.errorCode, ext, user);
  }
  markAccessed(cpu, d);
  // Commit: nothing above can have changed the CPU state.
  loadHidden(cpu.seg[SEG_CS], (gate.selector & 0xfffc) | newCpl, d);
  if (newCpl !== oldCpl) {
    const ss = cpu.seg[SEG_SS];
    ss.selector = newCpl;
    ss.base = 0;
    ss.limit = 0;
    ss.attrs = SEG_UNUSABLE | (newCpl << SEG_DPL_SHIFT) | SEG_DB;
  }
  const high = Math.floor(rsp / TWO32);
  cpu.lo[4] = rsp - high * TWO32;
  cpu.hi[4] = high;
  cpu.rip = gate.offset;
  cpu.flags &= ~(TF | NT | RF | VM | (gate.type === SYS_INT_GATE ? IF : 0));
  cpu.updateMode();
}

/** Protected mode: 16- and 32-bit interrupt and trap gates, stack switch through the TSS (SDM 6.12.1). */
function deliver32(cpu: Cpu, fault: CpuFault, flags: number): void {
  const ext = extOf(fault);
  const gate = readGate(cpu, fault, false);
  if (gate.type === SYS_TASK_GATE) return deliverThroughTask(cpu, fault, gate, ext, flags);
  const d = handlerCode(cpu, gate, ext, false);
  const newCpl = handlerCpl(cpu, d);
  const width = gate.type >= SYS_INT_GATE ? 4 : 2;
  const offset = width === 4 ? gate.offset >>> 0 : gate.offset & 0xffff;
  if (offset > d.limit) throw generalProtection(ext, `the handler offset ${hex(offset)} is beyond its code segment's limit ${hex(d.limit)}`);
  const oldCpl = cpu.cpl;
  const frame: number[] = [];
  let ssDesc: Descriptor | null = null;
  let ssSel = 0;
  let sp: number;
  let stackBig: boolean;
  let ssBase: number;
  let ssLimit: number;
  if (newCpl < oldCpl) {
    const tss32 = (cpu.tr.attrs & SEG_TYPE) >= SYS_TSS_AVAILABLE;
    const espAt = tss32 ? 4 + newCpl * 8 : 2 + newCpl * 4;
    const newSp = tssRead(cpu, espAt, tss32 ? 4 : 2, ext);
    ssSel = tssRead(cpu, espAt + (tss32 ? 4 : 2), 2, ext);
    const err = (ssSel & 0xfffc) | ext;
    if ((ssSel & 0xfffc) === 0) throw invalidTss(ext, 'the TSS holds a null SS for the new privilege level');
    if ((ssSel & 3) !== newCpl) throw invalidTss(err, `the TSS's SS ${hex(ssSel)} has RPL ${ssSel & 3}, not ${newCpl}`);
    try {
      ssDesc = readDescriptor(cpu, ssSel, `the TSS's SS ${hex(ssSel)}`);
    } catch (e) {
      throw e instanceof CpuFault ? invalidTss(err, e.reason) : e;
    }
    const t = ssDesc.attrs;
    if (!isWritableData(t)) throw invalidTss(err, `the TSS's SS ${hex(ssSel)} is not a writable data segment`);
    if (((t >> SEG_DPL_SHIFT) & 3) !== newCpl) throw invalidTss(err, `the TSS's SS ${hex(ssSel)} has DPL ${(t >> SEG_DPL_SHIFT) & 3}, not ${newCpl}`);
    if ((t & SEG_P) === 0) throw stackFault(err, `the TSS's SS ${hex(ssSel)} is not present`);
    sp = newSp;
    stackBig = (t & SEG_DB) !== 0;
    ssBase = ssDesc.base;
    ssLimit = ssDesc.limit;
    frame.push(cpu.seg[SEG_SS].selector, cpu.lo[4] >>> 0);
  } else {
    const ss = cpu.seg[SEG_SS];
    stackBig = (ss.attrs & SEG_DB) !== 0;
    sp = stackBig ? cpu.lo[4] >>> 0 : cpu.lo[4] & 0xffff;
    ssBase = ss.base;
    ssLimit = ss.limit;
  }
  frame.push(flags, cpu.seg[SEG_CS].selector, cpu.rip >>> 0);
  if (fault.errorCode !== undefined) frame.push(fault.errorCode);
  const user = newCpl === 3;
  for (const value of frame) {
    sp = stackBig ? (sp - width) >>> 0 : (sp - width) & 0xffff;
    if (sp + width - 1 > ssLimit) throw stackFault(ssDesc ? (ssSel & 0xfffc) | ext : ext, `pushing the exception frame: offset ${hex(sp)} is beyond SS's limit ${hex(ssLimit)}`);
    cpu.mem.writeAs((ssBase + sp) >>> 0, width, value | 0, 0, user);
  }
  markAccessed(cpu, d);
  if (ssDesc) {
    markAccessed(cpu, ssDesc);
    loadHidden(cpu.seg[SEG_SS], ssSel, ssDesc);
  }
  if (stackBig) {
    cpu.lo[4] = sp;
    cpu.hi[4] = 0;
  } else cpu.lo[4] = (cpu.lo[4] & ~0xffff) | sp;
  loadHidden(cpu.seg[SEG_CS], (gate.selector & 0xfffc) | newCpl, d);
  cpu.rip = offset;
  cpu.flags &= ~(TF | NT | RF | VM | (gate.type === SYS_INT_GATE || gate.type === SYS_INT_GATE16 ? IF : 0));
  cpu.updateMode();
}

/**
 * A task gate in the IDT: a task switch to the TSS it names, then the error code on the new task's
 * stack (SDM 6.12.2). The old task's EFLAGS image is `flags`, with RF set for a fault as in a pushed frame.
 */
function deliverThroughTask(cpu: Cpu, fault: CpuFault, gate: Gate, ext: number, flags: number): void {
  const what = `${fault.name} through the task gate in IDT entry ${fault.vector}`;
  const d = tssThroughGate(cpu, gate.selector, what, ext, generalProtection);
  switchTask(cpu, gate.selector, d, 'INT', ext, flags);
  if (fault.errorCode !== undefined) cpu.push((cpu.tr.attrs & SEG_TYPE) >= SYS_TSS_AVAILABLE ? 4 : 2, fault.errorCode, 0);
}

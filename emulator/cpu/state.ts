import { LinearMemory } from '../memory/linear.ts';
import { TableCache } from '../memory/table-cache.ts';
import type { PhysicalMemory } from '../memory/physical.ts';
import { CR0_AM, CR0_PE, EFER_LMA } from '../arch/control-registers.ts';
import { generalProtection, hex, stackFault, type CpuFault } from '../arch/faults.ts';
import type { MemoryOperand } from '../arch/memory-operand.ts';
import { BASE_RIP, TWO32 } from '../arch/registers.ts';
import { AC, FIXED1 } from '../arch/rflags.ts';
import { SEG_CODE, SEG_CONFORMING, SEG_CS, SEG_DB, SEG_DPL_SHIFT, SEG_EXPAND_DOWN, SEG_FS, SEG_L, SEG_P, SEG_S, SEG_SS, SEG_UNUSABLE, type Descriptor, type Gate } from '../arch/segments.ts';
import { IoPorts } from './io.ts';
import { TransitionMemo } from './transition-memo.ts';
import { MsrFile } from './msr-file.ts';

/** A segment register: the visible selector and the hidden part loaded from its descriptor. */
export class Segment {
  selector = 0;
  /** Linear base; in 64-bit mode FS/GS bases are canonical addresses held sign-extended. */
  base = 0;
  limit = 0xffff;
  attrs = SEG_P | SEG_S | 0x3;
}

const RSP = 4;

const CANONICAL_LIMIT = 140737488355328; // 2^47

export const isCanonical = (linear: number): boolean => linear >= -CANONICAL_LIMIT && linear < CANONICAL_LIMIT;

/** MSR numbers a kernel uses (Intel SDM Vol. 4). */
export const MSR = {
  EFER: 0xc0000080, STAR: 0xc0000081, LSTAR: 0xc0000082, CSTAR: 0xc0000083, SFMASK: 0xc0000084,
  FS_BASE: 0xc0000100, GS_BASE: 0xc0000101, KERNEL_GS_BASE: 0xc0000102, TSC_AUX: 0xc0000103,
  SYSENTER_CS: 0x174, SYSENTER_ESP: 0x175, SYSENTER_EIP: 0x176, TSC: 0x10, APIC_BASE: 0x1b, PAT: 0x277,
} as const;

/** What follows the CPU's mode (implemented by the decode cache). */
export interface ModeFollower {
  modeChanged(cpu: Cpu): void;
}

const NO_MODE_FOLLOWER: ModeFollower = { modeChanged() {} };

/**
 * The architectural state of one logical processor. Each 64-bit GPR is two int32 halves
 * (`lo`, `hi`) so the hot path never touches BigInt; RIP and linear addresses are numbers
 * (canonical addresses sign-extended, exact below 2^53).
 */
export class Cpu {
  readonly lo = new Int32Array(16);
  readonly hi = new Int32Array(16);
  rip = 0;
  /** RFLAGS (the upper 32 bits are reserved and always zero). */
  flags = FIXED1;
  readonly seg: Segment[] = [new Segment(), new Segment(), new Segment(), new Segment(), new Segment(), new Segment()];
  readonly ldtr = new Segment();
  readonly tr = new Segment();
  gdtrBase = 0;
  gdtrLimit = 0xffff;
  idtrBase = 0;
  idtrLimit = 0xffff;
  cr0 = 0x60000010;
  cr2 = 0;
  cr3 = 0;
  cr4 = 0;
  cr8 = 0;
  efer = 0;
  readonly dr = [0, 0, 0, 0, 0, 0, 0xffff0ff0, 0x400];
  /** Which of DR0-DR3 are enabled instruction breakpoints (DR7 L/G set, R/W = 00); set by MOV to a debug register. */
  codeBreakpoints: number[] = [];
  /** Every other MSR the CPU keeps (STAR, LSTAR, KERNEL_GS_BASE, SYSENTER_*, ...), by number. */
  readonly msr = new MsrFile();
  readonly mem: LinearMemory;
  /** Decoded GDT/LDT descriptors and IDT gates, valid while their bytes and translations are unchanged (not machine state). */
  readonly descriptorCache: TableCache<Descriptor>;
  readonly gateCache: TableCache<Gate>;
  /** INT n and IRETQ's checks already made, valid while the table cache's are (not machine state). */
  readonly transitions = new TransitionMemo();
  /**
   * Told when CS, SS, EFER or CR0 may have changed the CPL, the code size or CS's base (the decode
   * cache). One object of one class, not a closure per machine: V8 then keeps the call inlined in
   * the transition handlers when a process builds many machines.
   */
  modeFollower: ModeFollower = NO_MODE_FOLLOWER;
  /** I/O ports (the debug console on 0xE9). */
  readonly io = new IoPorts();

  /** Derived from CS, SS and EFER by `updateMode()`. */
  codeBits = 16;
  stackBits = 16;
  cpl = 0;
  /** Steps executed by the run loop (each instruction, and each slice of a repeated string instruction). */
  steps = 0;
  /** Slices of repeated string instructions that were cut short and re-executed (not retirements). */
  repSlices = 0;
  /** Set by an instruction that loads RF (IRET): RF survives until the next instruction completes. */
  keepRf = false;
  /**
   * The instruction boundary (a value of `steps`) covered by the shadow of STI (maskable interrupts)
   * or of MOV SS/POP SS (interrupts, NMIs and debug traps), Intel SDM Vol. 3A, 6.8.3.
   */
  stiShadowAt = -1;
  ssShadowAt = -1;
  /** Set by SYSCALL and SYSRET: single-step follows the RFLAGS they produce, not the RFLAGS they began with. */
  stepFromResult = false;
  /** A single-step trap held back by a MOV SS/POP SS shadow, taken at the next boundary. */
  pendingSingleStep = false;
  /** Something waits for an instruction boundary (a pending interrupt or deferred trap): the run loop looks after every instruction. */
  attention = false;
  /** NMIs are blocked from an NMI's delivery until the next IRET (SDM Vol. 3A, 6.7.1). */
  nmiBlocked = false;
  /** A software interrupt (INT n, INT3, INTO) its instruction raised: the run loop delivers it as the instruction completes, with `attention` set. */
  softwareTrap: CpuFault | null = null;
  /** The vector of an INT n its instruction raised (-1: none), with `attention` set: its fault object is made only if the run loop needs one. */
  softwareVector = -1;

  // The x87/SSE/AVX register file (rules in fpu.ts). Only x87, SIMD and XSAVE-family instructions touch it.
  /** YMM0-15 as dwords: register r is xmm[r*8 .. r*8+7], XMM in dwords 0-3, the upper half in 4-7. */
  readonly xmm = new Int32Array(128);
  /** Physical x87 registers R0-R7, 80 bits each as [mantissa low, mantissa high, sign:exponent]. */
  readonly st = new Int32Array(24);
  fcw = 0x37f;
  /** x87 status word, TOP in bits 13:11. */
  fsw = 0;
  /** Abridged tag (as FXSAVE stores it): bit i set when physical register Ri is not empty. */
  ftag = 0;
  fop = 0;
  /** Last x87 instruction and data pointers (linear, sign-extended numbers like rip). */
  fip = 0;
  fdp = 0;
  mxcsr = 0x1f80;
  xcr0 = 1;
  /** XINUSE (SDM Vol. 1, 13.6): state components that may differ from their initial configuration. */
  xinuse = 0;

  /** Instructions retired. */
  get instructions(): number {
    return this.steps - this.repSlices;
  }
  /** Scratch: the high half of a 64-bit result. */
  tHi = 0;

  constructor(readonly phys: PhysicalMemory) {
    this.mem = new LinearMemory(phys);
    this.descriptorCache = new TableCache(this.mem);
    this.gateCache = new TableCache(this.mem);
  }

  get longMode(): boolean {
    return (this.efer & EFER_LMA) !== 0;
  }

  /** Recomputes the code and stack sizes and the CPL after CS, SS or EFER changed. */
  updateMode(): void {
    const cs = this.seg[SEG_CS];
    this.codeBits = this.longMode && cs.attrs & SEG_L ? 64 : cs.attrs & SEG_DB ? 32 : 16;
    this.stackBits = this.codeBits === 64 ? 64 : this.seg[SEG_SS].attrs & SEG_DB ? 32 : 16;
    // CPL is CS's DPL, except in a conforming code segment, where it is the RPL the transfer kept.
    this.cpl = (this.cr0 & CR0_PE) === 0 ? 0 : (cs.attrs & (SEG_S | SEG_CODE | SEG_CONFORMING)) === (SEG_S | SEG_CODE | SEG_CONFORMING) ? cs.selector & 3 : (cs.attrs >> SEG_DPL_SHIFT) & 3;
    this.mem.user = this.cpl === 3;
    this.updateAlignmentCheck();
    // CS may have changed (privilege, code size, base): the decode cache picks its view of the code.
    this.modeFollower.modeChanged(this);
  }

  /** Alignment checking applies at CPL 3 when CR0.AM and RFLAGS.AC are both set (Intel SDM Vol. 3A, 6.15, #AC). */
  updateAlignmentCheck(): void {
    this.mem.alignmentChecks = this.cpl === 3 && (this.cr0 & CR0_AM) !== 0 && (this.flags & AC) !== 0;
  }

  /** Linear address of a memory operand of `size` bytes (fast path: a 64-bit [base+disp] below 4 GiB, needing no checks). */
  ea(m: MemoryOperand, size: number): number {
    if (m.simple) {
      const b = m.base;
      if (this.hi[b] === 0) {
        const l = (this.lo[b] >>> 0) + m.disp;
        if (l >= 0 && l < TWO32) return l;
      }
    } else if (m.addrBits === 64 && m.index >= 0 && m.seg < SEG_FS) {
      // [base + index*scale + disp] below 4 GiB: no carries between halves, canonical by construction.
      const b = m.base;
      const x = m.index;
      if (b >= 0 && b < BASE_RIP && this.hi[b] === 0 && this.hi[x] === 0) {
        const l = (this.lo[b] >>> 0) + (this.lo[x] >>> 0) * m.scale + m.disp;
        if (l >= 0 && l < TWO32) return l;
      }
    }
    return this.eaFull(m, size);
  }

  /** Linear address of a memory operand of `size` bytes, with the canonical or limit check its segment requires. */
  eaFull(m: MemoryOperand, size: number): number {
    const lo = this.lo;
    const hi = this.hi;
    if (m.addrBits === 64) {
      let l = m.dispLo;
      let h = m.dispHi;
      const b = m.base;
      if (b >= 0) {
        if (b === BASE_RIP) {
          const r = this.rip + m.disp;
          return m.seg >= SEG_FS ? this.flatten(r + this.seg[m.seg].base, m.seg) : this.flatten(r, m.seg);
        }
        l += lo[b] >>> 0;
        h += hi[b];
      }
      const x = m.index;
      if (x >= 0) {
        l += (lo[x] >>> 0) * m.scale;
        h += hi[x] * m.scale;
      }
      const carry = Math.floor(l / TWO32);
      h = (h + carry) | 0;
      l -= carry * TWO32;
      if (h > 0x1fffff || h < -0x200000) throw this.nonCanonical(m.seg, h * TWO32 + l);
      let linear = h * TWO32 + l;
      if (m.seg >= SEG_FS) linear += this.seg[m.seg].base;
      if (linear >= CANONICAL_LIMIT || linear < -CANONICAL_LIMIT) throw this.nonCanonical(m.seg, linear);
      return linear;
    }
    let off = m.disp;
    if (m.base >= 0) off += m.base === BASE_RIP ? this.rip : lo[m.base];
    if (m.index >= 0) off += lo[m.index] * m.scale;
    off = m.addrBits === 32 ? off >>> 0 : off & 0xffff;
    return this.segmented(m.seg, off, size);
  }

  /** Linear address of `offset` in segment `s` outside 64-bit mode, after the limit check (Intel SDM Vol. 3A, 5.3). */
  segmented(s: number, offset: number, size: number): number {
    const seg = this.seg[s];
    if (this.codeBits === 64) {
      const linear = s >= SEG_FS ? offset + seg.base : offset;
      if (!isCanonical(linear)) throw this.nonCanonical(s, linear);
      return linear;
    }
    const limit = seg.limit;
    const attrs = seg.attrs;
    if (attrs & SEG_UNUSABLE) throw generalProtection(0, `${'ECSDFG'[s]}S holds a null selector`);
    if ((attrs & (SEG_S | SEG_CODE | SEG_EXPAND_DOWN)) === (SEG_S | SEG_EXPAND_DOWN)) {
      // Expand-down data segment: valid offsets lie above the limit.
      const upper = attrs & SEG_DB ? 0xffffffff : 0xffff;
      if (offset <= limit || offset + size - 1 > upper) throw this.limitFault(s, offset);
    } else if (offset + size - 1 > limit) {
      throw this.limitFault(s, offset);
    }
    return (seg.base + offset) >>> 0;
  }

  /** In 64-bit mode a linear address already computed; applies the canonical check. */
  private flatten(linear: number, s: number): number {
    if (!isCanonical(linear)) throw this.nonCanonical(s, linear);
    return linear;
  }

  private nonCanonical(s: number, linear: number) {
    const text = `address ${hex(BigInt.asUintN(64, BigInt(Math.trunc(linear))))} is not canonical`;
    return s === SEG_SS ? stackFault(0, text) : generalProtection(0, text);
  }

  private limitFault(s: number, offset: number) {
    const name = `${'ECSDFG'[s]}S`;
    const text = `offset ${hex(offset)} is outside ${name}'s limit ${hex(this.seg[s].limit)}`;
    return s === SEG_SS ? stackFault(0, text) : generalProtection(0, text);
  }

  /** Linear address of the stack slot at stack-pointer value `sp` (already wrapped to the stack size). */
  stackAddress(sp: number, size: number): number {
    if (this.stackBits === 64) {
      if (!isCanonical(sp)) throw stackFault(0, `stack address ${hex(sp)} is not canonical`);
      return sp;
    }
    return this.segmented(SEG_SS, sp, size);
  }

  /** The stack pointer as a number: RSP sign-extended in 64-bit mode, ESP or SP otherwise. */
  sp(): number {
    if (this.stackBits === 64) return this.hi[RSP] * TWO32 + (this.lo[RSP] >>> 0);
    return this.stackBits === 32 ? this.lo[RSP] >>> 0 : this.lo[RSP] & 0xffff;
  }

  setSp(value: number): void {
    if (this.stackBits === 64) {
      const h = Math.floor(value / TWO32);
      this.lo[RSP] = value - h * TWO32;
      this.hi[RSP] = h;
    } else if (this.stackBits === 32) {
      this.lo[RSP] = value;
      this.hi[RSP] = 0;
    } else {
      this.lo[RSP] = (this.lo[RSP] & ~0xffff) | (value & 0xffff);
    }
  }

  /** Pushes `size` bytes (2, 4 or 8) given as int32 halves. The store happens before RSP moves, so a fault leaves RSP intact. */
  push(size: number, lo: number, hi: number): void {
    if (size === 8 && this.stackBits === 64 && this.hi[RSP] === 0) {
      const l = (this.lo[RSP] >>> 0) - 8;
      if (l >= 0) {
        this.mem.write64(l, lo, hi);
        this.lo[RSP] = l;
        return;
      }
    }
    const sp = this.wrapSp(this.sp() - size);
    const a = this.stackAddress(sp, size);
    if (size === 8) this.mem.write64(a, lo, hi);
    else if (size === 4) this.mem.write32(a, lo);
    else this.mem.write16(a, lo);
    this.setSp(sp);
  }

  /** Pops `size` bytes: returns the low half (unsigned for 2 and 4) and leaves the high half in tHi. */
  pop(size: number): number {
    if (size === 8 && this.stackBits === 64 && this.hi[RSP] === 0) {
      const l = this.lo[RSP] >>> 0;
      if (l < TWO32 - 8) {
        const v = this.mem.read64(l);
        this.tHi = this.mem.hi;
        this.lo[RSP] = l + 8;
        return v;
      }
    }
    const sp = this.sp();
    const a = this.stackAddress(sp, size);
    let v: number;
    if (size === 8) {
      v = this.mem.read64(a);
      this.tHi = this.mem.hi;
    } else {
      v = size === 4 ? this.mem.read32(a) >>> 0 : this.mem.read16(a);
      this.tHi = 0;
    }
    this.setSp(this.wrapSp(sp + size));
    return v;
  }

  /** Reads `size` bytes at stack offset `delta` from the stack pointer without moving it. */
  peek(delta: number, size: number): number {
    const a = this.stackAddress(this.wrapSp(this.sp() + delta), size);
    if (size === 8) {
      const v = this.mem.read64(a);
      this.tHi = this.mem.hi;
      return v;
    }
    this.tHi = 0;
    return size === 4 ? this.mem.read32(a) >>> 0 : this.mem.read16(a);
  }

  wrapSp(sp: number): number {
    if (this.stackBits === 64) {
      // 64-bit wrap-around of RSP, kept as a sign-extended number.
      if (sp >= 2 ** 63) return sp - 2 ** 64;
      if (sp < -(2 ** 63)) return sp + 2 ** 64;
      return sp;
    }
    return this.stackBits === 32 ? sp >>> 0 : sp & 0xffff;
  }

  /** A GPR as an unsigned 64-bit bigint. */
  getGpr(r: number): bigint {
    return (BigInt(this.hi[r] >>> 0) << 32n) | BigInt(this.lo[r] >>> 0);
  }

  setGpr(r: number, value: bigint): void {
    const v = BigInt.asUintN(64, value);
    this.lo[r] = Number(v & 0xffffffffn) | 0;
    this.hi[r] = Number(v >> 32n) | 0;
  }

  getRip(): bigint {
    return BigInt.asUintN(64, BigInt(this.rip));
  }

  setRip(value: bigint): void {
    this.rip = Number(BigInt.asIntN(64, value));
  }

  /** Sets the instruction pointer after a branch: wraps to the operand size outside 64-bit mode and checks canonical form / CS limit. */
  branch(target: number, opSize: number): void {
    if (this.codeBits === 64) {
      if (opSize === 2) target &= 0xffff;
      else if (!isCanonical(target)) throw generalProtection(0, `branch target ${hex(target)} is not canonical`);
    } else {
      target = opSize === 2 ? target & 0xffff : target >>> 0;
      const cs = this.seg[SEG_CS];
      if (target > cs.limit) throw generalProtection(0, `branch target ${hex(target)} is beyond CS's limit ${hex(cs.limit)}`);
    }
    this.rip = target;
  }
}

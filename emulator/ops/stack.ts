/** PUSH, POP (every operand kind), PUSHF/POPF in all widths, PUSHA/POPA, ENTER, LEAVE. */
import type { Cpu } from '../cpu/state.ts';
import { AC, DEFINED, FIXED1, ID, IF, IOPL, RF, VIF, VIP, VM } from '../arch/rflags.ts';
import { OP_IMM, OP_MEM, OP_REG, OP_SEG, type Exec } from '../cpu/insn.ts';
import { addressOf, read, read64, setReg, write, write64, type Factory } from './operands.ts';
import { loadSegment } from './segments.ts';

const RSP = 4;
const RBP = 5;

const push: Factory = (raw) => {
  const [s] = raw.ops;
  const size = raw.opSize;
  if (s.kind === OP_REG && size === 8) {
    const r = s.reg;
    return (cpu) => cpu.push(8, cpu.lo[r], cpu.hi[r]);
  }
  if (s.kind === OP_REG) {
    const r = s.reg;
    return (cpu) => cpu.push(size, cpu.lo[r], 0);
  }
  if (s.kind === OP_IMM) {
    const lo = s.immLo;
    const hi = s.immHi;
    return (cpu) => cpu.push(size, lo, hi);
  }
  if (s.kind === OP_SEG) {
    // A segment register pushed with a wider operand size is zero-extended (what AMD processors do; Intel SDM Vol. 2B, PUSH allows it).
    const sreg = s.reg;
    return (cpu) => cpu.push(size, cpu.seg[sreg].selector, 0);
  }
  return (cpu, i) => {
    const a = addressOf(cpu, i, size);
    if (size === 8) {
      const lo = read64(cpu, s, a);
      cpu.push(8, lo, cpu.tHi);
    } else cpu.push(size, read(cpu, s, a), 0);
  };
};

const pop: Factory = (raw) => {
  const [d] = raw.ops;
  const size = raw.opSize;
  if (d.kind === OP_REG) {
    const r = d.reg;
    return (cpu) => {
      const lo = cpu.pop(size);
      setReg(cpu, r, size, lo, cpu.tHi);
    };
  }
  if (d.kind === OP_SEG) {
    const sreg = d.reg;
    return (cpu) => {
      const v = cpu.peek(0, size);
      loadSegment(cpu, sreg, v & 0xffff);
      cpu.setSp(cpu.wrapSp(cpu.sp() + size));
      // POP SS inhibits interrupts and debug traps until after the next instruction (SDM Vol. 3A, 6.8.3).
      if (sreg === 2) cpu.ssShadowAt = cpu.steps + 1;
    };
  }
  if (d.kind !== OP_MEM) throw new Error(`POP: unexpected operand kind ${d.kind}`);
  // The destination address is computed after RSP is incremented (Intel SDM Vol. 2B, POP).
  return (cpu, i) => {
    const before = cpu.sp();
    const lo = cpu.peek(0, size);
    const hi = cpu.tHi;
    cpu.setSp(cpu.wrapSp(before + size));
    try {
      const a = addressOf(cpu, i, size);
      if (size === 8) write64(cpu, d, a, lo, hi);
      else write(cpu, d, a, lo);
    } catch (fault) {
      cpu.setSp(before);
      throw fault;
    }
  };
};

/** The image PUSHF stores: RF and VM read as zero (Intel SDM Vol. 2B, PUSHF). */
const flagsImage = (cpu: Cpu): number => cpu.flags & DEFINED & ~(RF | VM);

function pushf(size: number): Factory {
  return () => (cpu) => cpu.push(size, size === 2 ? flagsImage(cpu) & 0xffff : flagsImage(cpu), 0);
}

/**
 * POPF: which bits change depends on CPL and IOPL (Intel SDM Vol. 2B, POPF, protected mode):
 * IOPL only at CPL 0, IF only when CPL <= IOPL; VM, VIP, VIF are never set by it here and RF is cleared.
 */
function popfMask(cpu: Cpu): number {
  let mask = 0x3fffff & DEFINED & ~(VM | VIP | VIF | RF | IOPL | IF);
  const iopl = (cpu.flags & IOPL) >> 12;
  if (cpu.cpl === 0) mask |= IOPL;
  if (cpu.cpl <= iopl) mask |= IF;
  return mask | AC | ID;
}

function popf(size: number): Factory {
  return () => (cpu) => {
    let v = cpu.peek(0, size);
    let mask = popfMask(cpu);
    if (size === 2) {
      mask &= 0xffff;
      v &= 0xffff;
    }
    cpu.setSp(cpu.wrapSp(cpu.sp() + size));
    cpu.flags = ((cpu.flags & ~mask) | (v & mask) | FIXED1) & ~RF;
    cpu.updateAlignmentCheck();
  };
}

/** PUSHA/PUSHAD: AX CX DX BX (original) SP BP SI DI. */
function pusha(size: 2 | 4): Factory {
  return () => (cpu) => {
    const sp = cpu.sp();
    const m = cpu.mem;
    for (let r = 0; r < 8; r++) {
      const at = cpu.stackAddress(cpu.wrapSp(sp - (r + 1) * size), size);
      const v = r === RSP ? sp : cpu.lo[r];
      if (size === 4) m.write32(at, v);
      else m.write16(at, v);
    }
    cpu.setSp(cpu.wrapSp(sp - 8 * size));
  };
}

/** POPA/POPAD: the saved SP is discarded. */
function popa(size: 2 | 4): Factory {
  return () => (cpu) => {
    const values: number[] = [];
    for (let k = 0; k < 8; k++) values.push(cpu.peek(k * size, size));
    for (let k = 0; k < 8; k++) {
      const r = 7 - k;
      if (r !== RSP) setReg(cpu, r, size, values[k]);
    }
    cpu.setSp(cpu.wrapSp(cpu.sp() + 8 * size));
  };
}

/** ENTER imm16, imm8 (Intel SDM Vol. 2A, ENTER, Operation). */
const enter: Factory = (raw): Exec => {
  const size = raw.opSize;
  const allocSize = raw.ops[0].immLo & 0xffff;
  const level = raw.ops[1].immLo & 31;
  return (cpu) => {
    const savedSp = cpu.sp();
    const savedLo = cpu.lo;
    const rbpLo = savedLo[RBP];
    const rbpHi = cpu.hi[RBP];
    const wide = cpu.stackBits;
    try {
      cpu.push(size, rbpLo, rbpHi);
      const frameTemp = cpu.sp();
      if (level > 0) {
        let bp = wide === 64 ? rbpHi * 4294967296 + (rbpLo >>> 0) : wide === 32 ? rbpLo >>> 0 : rbpLo & 0xffff;
        for (let k = 1; k < level; k++) {
          bp = cpu.wrapSp(bp - size);
          const at = cpu.stackAddress(bp, size);
          if (size === 8) {
            const lo = cpu.mem.read64(at);
            cpu.push(8, lo, cpu.mem.hi);
          } else cpu.push(size, size === 4 ? cpu.mem.read32(at) : cpu.mem.read16(at), 0);
        }
        const h = Math.floor(frameTemp / 4294967296);
        cpu.push(size, frameTemp - h * 4294967296, size === 8 ? h : 0);
      }
      const newSp = cpu.wrapSp(cpu.sp() - allocSize);
      // The processor writes to the new stack top before committing (the host faults there with #PF): probe it.
      cpu.mem.probeWrite(cpu.stackAddress(newSp, size), size);
      const h = Math.floor(frameTemp / 4294967296);
      setReg(cpu, RBP, wide === 64 ? 8 : size, frameTemp - h * 4294967296, h);
      cpu.setSp(newSp);
    } catch (fault) {
      cpu.setSp(savedSp);
      throw fault;
    }
  };
};

/** LEAVE: RSP = RBP, then POP RBP. */
const leave: Factory = (raw): Exec => {
  const size = raw.opSize;
  return (cpu) => {
    const bits = cpu.stackBits;
    const bp = bits === 64 ? cpu.hi[RBP] * 4294967296 + (cpu.lo[RBP] >>> 0) : bits === 32 ? cpu.lo[RBP] >>> 0 : cpu.lo[RBP] & 0xffff;
    const a = cpu.stackAddress(bp, size);
    let lo: number;
    let hi = 0;
    if (size === 8) {
      lo = cpu.mem.read64(a);
      hi = cpu.mem.hi;
    } else lo = size === 4 ? cpu.mem.read32(a) : cpu.mem.read16(a);
    cpu.setSp(cpu.wrapSp(bp + size));
    setReg(cpu, RBP, size, lo, hi);
  };
};

export const stackOps: Record<string, Factory> = {
  PUSH: push,
  POP: pop,
  PUSHF: pushf(2),
  PUSHFD: pushf(4),
  PUSHFQ: pushf(8),
  POPF: popf(2),
  POPFD: popf(4),
  POPFQ: popf(8),
  PUSHA: pusha(2),
  PUSHAD: pusha(4),
  POPA: popa(2),
  POPAD: popa(4),
  ENTER: enter,
  LEAVE: leave,
};

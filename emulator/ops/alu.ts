/** ADD ADC SUB SBB CMP AND OR XOR TEST INC DEC NEG NOT: eager flags, 8/16/32-bit as numbers, 64-bit as int32 halves. */
import type { Cpu } from '../cpu/state.ts';
import { AF, CF, OF, PARITY, SF, STATUS, ZF, MASK, SIGN, szp } from '../arch/rflags.ts';
import { OP_IMM, OP_MEM, OP_REG, type Exec } from '../cpu/insn.ts';
import { addressOf, read, read64, readSized, write, write64, type Factory } from './operands.ts';
import { TWO32 } from '../arch/registers.ts';

export const ADD = 0;
export const OR = 1;
export const ADC = 2;
export const SBB = 3;
export const AND = 4;
export const SUB = 5;
export const XOR = 6;
export const CMP = 7;
export const TEST = 8;


/** Applies a binary ALU operation to unsigned values of `size` bytes (1, 2, 4); sets the status flags; returns the result. */
export function alu(cpu: Cpu, op: number, a: number, b: number, size: number): number {
  const mask = MASK[size];
  const sign = SIGN[size];
  let r: number;
  let f: number;
  switch (op) {
    case ADD:
    case ADC: {
      const carry = op === ADC ? cpu.flags & CF : 0;
      const full = a + b + carry;
      r = size === 4 ? full >>> 0 : full & mask;
      // OF: both operands have the same sign and the result's sign differs.
      f = (full > mask ? CF : 0) | ((a ^ r) & (b ^ r) & sign ? OF : 0) | ((a ^ b ^ r) & AF);
      break;
    }
    case SUB:
    case CMP:
    case SBB: {
      const borrow = op === SBB ? cpu.flags & CF : 0;
      const full = a - b - borrow;
      r = size === 4 ? full >>> 0 : full & mask;
      // OF: operands of different signs and the result's sign differs from the minuend's.
      f = (full < 0 ? CF : 0) | ((a ^ b) & (a ^ r) & sign ? OF : 0) | ((a ^ b ^ r) & AF);
      break;
    }
    case AND:
    case TEST:
      r = size === 4 ? (a & b) >>> 0 : a & b;
      f = 0;
      break;
    case OR:
      r = size === 4 ? (a | b) >>> 0 : a | b;
      f = 0;
      break;
    default:
      r = size === 4 ? (a ^ b) >>> 0 : a ^ b;
      f = 0;
  }
  cpu.flags = (cpu.flags & ~STATUS) | f | szp(r, size);
  return r;
}

/** The 64-bit form: operands as int32 halves; returns the low half, leaves the high half in cpu.tHi. */
export function alu64(cpu: Cpu, op: number, aLo: number, aHi: number, bLo: number, bHi: number): number {
  let lo: number;
  let hi: number;
  let f: number;
  switch (op) {
    case ADD:
    case ADC: {
      const l = (aLo >>> 0) + (bLo >>> 0) + (op === ADC ? cpu.flags & CF : 0);
      const h = (aHi >>> 0) + (bHi >>> 0) + (l >= TWO32 ? 1 : 0);
      lo = l | 0;
      hi = h | 0;
      f = (h >= TWO32 ? CF : 0) | (((aHi ^ hi) & (bHi ^ hi)) < 0 ? OF : 0) | ((aLo ^ bLo ^ lo) & AF);
      break;
    }
    case SUB:
    case CMP:
    case SBB: {
      const l = (aLo >>> 0) - (bLo >>> 0) - (op === SBB ? cpu.flags & CF : 0);
      const h = (aHi >>> 0) - (bHi >>> 0) - (l < 0 ? 1 : 0);
      lo = l | 0;
      hi = h | 0;
      f = (h < 0 ? CF : 0) | (((aHi ^ bHi) & (aHi ^ hi)) < 0 ? OF : 0) | ((aLo ^ bLo ^ lo) & AF);
      break;
    }
    case AND:
    case TEST:
      lo = aLo & bLo;
      hi = aHi & bHi;
      f = 0;
      break;
    case OR:
      lo = aLo | bLo;
      hi = aHi | bHi;
      f = 0;
      break;
    default:
      lo = aLo ^ bLo;
      hi = aHi ^ bHi;
      f = 0;
  }
  cpu.flags = (cpu.flags & ~STATUS) | f | ((lo | hi) === 0 ? ZF : 0) | (hi < 0 ? SF : 0) | PARITY[lo & 0xff];
  cpu.tHi = hi;
  return lo;
}

/** ADD for 64-bit operands (the hot path: no operation dispatch). */
export function add64(cpu: Cpu, aLo: number, aHi: number, bLo: number, bHi: number): number {
  const l = (aLo >>> 0) + (bLo >>> 0);
  const h = (aHi >>> 0) + (bHi >>> 0) + (l >= TWO32 ? 1 : 0);
  const lo = l | 0;
  const hi = h | 0;
  cpu.flags = (cpu.flags & ~STATUS) | (h >= TWO32 ? CF : 0) | (((aHi ^ hi) & (bHi ^ hi)) < 0 ? OF : 0) | ((aLo ^ bLo ^ lo) & AF) |
    ((lo | hi) === 0 ? ZF : 0) | (hi < 0 ? SF : 0) | PARITY[lo & 0xff];
  cpu.tHi = hi;
  return lo;
}

/** SUB/CMP for 64-bit operands. */
export function sub64(cpu: Cpu, aLo: number, aHi: number, bLo: number, bHi: number): number {
  const l = (aLo >>> 0) - (bLo >>> 0);
  const h = (aHi >>> 0) - (bHi >>> 0) - (l < 0 ? 1 : 0);
  const lo = l | 0;
  const hi = h | 0;
  cpu.flags = (cpu.flags & ~STATUS) | (h < 0 ? CF : 0) | (((aHi ^ bHi) & (aHi ^ hi)) < 0 ? OF : 0) | ((aLo ^ bLo ^ lo) & AF) |
    ((lo | hi) === 0 ? ZF : 0) | (hi < 0 ? SF : 0) | PARITY[lo & 0xff];
  cpu.tHi = hi;
  return lo;
}

/** Flags of a logical result (OF, CF, AF cleared). */
export function logic64(cpu: Cpu, lo: number, hi: number): void {
  cpu.flags = (cpu.flags & ~STATUS) | ((lo | hi) === 0 ? ZF : 0) | (hi < 0 ? SF : 0) | PARITY[lo & 0xff];
}

/** Specialized closures for the most frequent 64-bit forms (register or immediate source, register destination). */
function fast64(op: number, dr: number, src: { kind: number; reg: number; immLo: number; immHi: number }): Exec | null {
  if (src.kind === OP_REG) {
    const sr = src.reg;
    switch (op) {
      case ADD: return (cpu) => { const l = cpu.lo; l[dr] = add64(cpu, l[dr], cpu.hi[dr], l[sr], cpu.hi[sr]); cpu.hi[dr] = cpu.tHi; };
      case SUB: return (cpu) => { const l = cpu.lo; l[dr] = sub64(cpu, l[dr], cpu.hi[dr], l[sr], cpu.hi[sr]); cpu.hi[dr] = cpu.tHi; };
      case CMP: return (cpu) => { sub64(cpu, cpu.lo[dr], cpu.hi[dr], cpu.lo[sr], cpu.hi[sr]); };
      case AND: return (cpu) => { const l = cpu.lo; const h = cpu.hi; l[dr] &= l[sr]; h[dr] &= h[sr]; logic64(cpu, l[dr], h[dr]); };
      case OR: return (cpu) => { const l = cpu.lo; const h = cpu.hi; l[dr] |= l[sr]; h[dr] |= h[sr]; logic64(cpu, l[dr], h[dr]); };
      case XOR: return (cpu) => { const l = cpu.lo; const h = cpu.hi; l[dr] ^= l[sr]; h[dr] ^= h[sr]; logic64(cpu, l[dr], h[dr]); };
      case TEST: return (cpu) => logic64(cpu, cpu.lo[dr] & cpu.lo[sr], cpu.hi[dr] & cpu.hi[sr]);
      default: return null;
    }
  }
  if (src.kind === OP_IMM) {
    const il = src.immLo;
    const ih = src.immHi;
    switch (op) {
      case ADD: return (cpu) => { const l = cpu.lo; l[dr] = add64(cpu, l[dr], cpu.hi[dr], il, ih); cpu.hi[dr] = cpu.tHi; };
      case SUB: return (cpu) => { const l = cpu.lo; l[dr] = sub64(cpu, l[dr], cpu.hi[dr], il, ih); cpu.hi[dr] = cpu.tHi; };
      case CMP: return (cpu) => { sub64(cpu, cpu.lo[dr], cpu.hi[dr], il, ih); };
      case AND: return (cpu) => { const l = cpu.lo; const h = cpu.hi; l[dr] &= il; h[dr] &= ih; logic64(cpu, l[dr], h[dr]); };
      case OR: return (cpu) => { const l = cpu.lo; const h = cpu.hi; l[dr] |= il; h[dr] |= ih; logic64(cpu, l[dr], h[dr]); };
      case XOR: return (cpu) => { const l = cpu.lo; const h = cpu.hi; l[dr] ^= il; h[dr] ^= ih; logic64(cpu, l[dr], h[dr]); };
      case TEST: return (cpu) => logic64(cpu, cpu.lo[dr] & il, cpu.hi[dr] & ih);
      default: return null;
    }
  }
  if (src.kind === OP_MEM) {
    switch (op) {
      case ADD: return (cpu, i) => { const m = cpu.mem; const bl = m.read64(cpu.ea(i.mem!, 8)); const l = cpu.lo; l[dr] = add64(cpu, l[dr], cpu.hi[dr], bl, m.hi); cpu.hi[dr] = cpu.tHi; };
      case SUB: return (cpu, i) => { const m = cpu.mem; const bl = m.read64(cpu.ea(i.mem!, 8)); const l = cpu.lo; l[dr] = sub64(cpu, l[dr], cpu.hi[dr], bl, m.hi); cpu.hi[dr] = cpu.tHi; };
      case CMP: return (cpu, i) => { const m = cpu.mem; const bl = m.read64(cpu.ea(i.mem!, 8)); sub64(cpu, cpu.lo[dr], cpu.hi[dr], bl, m.hi); };
      default: return null;
    }
  }
  return null;
}

function binary(op: number): Factory {
  const writes = op !== CMP && op !== TEST;
  return (raw): Exec => {
    const [d, s] = raw.ops;
    const size = d.size;
    if (size === 8) {
      const fast = d.kind === OP_REG ? fast64(op, d.reg, s) : null;
      if (fast) return fast;
      if (d.kind === OP_REG && s.kind === OP_REG) {
        const dr = d.reg;
        const sr = s.reg;
        return writes
          ? (cpu) => {
              cpu.lo[dr] = alu64(cpu, op, cpu.lo[dr], cpu.hi[dr], cpu.lo[sr], cpu.hi[sr]);
              cpu.hi[dr] = cpu.tHi;
            }
          : (cpu) => {
              alu64(cpu, op, cpu.lo[dr], cpu.hi[dr], cpu.lo[sr], cpu.hi[sr]);
            };
      }
      if (d.kind === OP_REG && s.kind === OP_IMM) {
        const dr = d.reg;
        const il = s.immLo;
        const ih = s.immHi;
        return writes
          ? (cpu) => {
              cpu.lo[dr] = alu64(cpu, op, cpu.lo[dr], cpu.hi[dr], il, ih);
              cpu.hi[dr] = cpu.tHi;
            }
          : (cpu) => {
              alu64(cpu, op, cpu.lo[dr], cpu.hi[dr], il, ih);
            };
      }
      if (d.kind === OP_REG && s.kind === OP_MEM) {
        const dr = d.reg;
        return (cpu, i) => {
          const m = cpu.mem;
          const bl = m.read64(cpu.ea(i.mem!, 8));
          const lo = alu64(cpu, op, cpu.lo[dr], cpu.hi[dr], bl, m.hi);
          if (writes) {
            cpu.lo[dr] = lo;
            cpu.hi[dr] = cpu.tHi;
          }
        };
      }
      return (cpu, i) => {
        const a = addressOf(cpu, i, 8);
        const al = read64(cpu, d, a);
        const ah = cpu.tHi;
        const bl = read64(cpu, s, a);
        const lo = alu64(cpu, op, al, ah, bl, cpu.tHi);
        if (writes) write64(cpu, d, a, lo, cpu.tHi);
      };
    }
    if (size === 4 && d.kind === OP_REG && s.kind === OP_REG) {
      const dr = d.reg;
      const sr = s.reg;
      return (cpu) => {
        const r = alu(cpu, op, cpu.lo[dr] >>> 0, cpu.lo[sr] >>> 0, 4);
        if (writes) {
          cpu.lo[dr] = r;
          cpu.hi[dr] = 0;
        }
      };
    }
    if (size === 4 && d.kind === OP_REG && s.kind === OP_IMM) {
      const dr = d.reg;
      const imm = s.immLo >>> 0;
      return (cpu) => {
        const r = alu(cpu, op, cpu.lo[dr] >>> 0, imm, 4);
        if (writes) {
          cpu.lo[dr] = r;
          cpu.hi[dr] = 0;
        }
      };
    }
    return (cpu, i) => {
      const a = addressOf(cpu, i, size);
      const r = alu(cpu, op, read(cpu, d, a), readSized(cpu, s, a, size), size);
      if (writes) write(cpu, d, a, r);
    };
  };
}

/** INC and DEC leave CF alone (Intel SDM Vol. 2A, INC). */
function incDec(delta: 1 | -1): Factory {
  return (raw): Exec => {
    const [d] = raw.ops;
    const size = d.size;
    return (cpu, i) => {
      const a = addressOf(cpu, i, size);
      const cf = cpu.flags & CF;
      if (size === 8) {
        const lo = read64(cpu, d, a);
        const r = alu64(cpu, delta === 1 ? ADD : SUB, lo, cpu.tHi, 1, 0);
        write64(cpu, d, a, r, cpu.tHi);
      } else write(cpu, d, a, alu(cpu, delta === 1 ? ADD : SUB, read(cpu, d, a), 1, size));
      cpu.flags = (cpu.flags & ~CF) | cf;
    };
  };
}

/** NEG: 0 - dest, CF set unless the operand was zero. */
const neg: Factory = (raw) => {
  const [d] = raw.ops;
  const size = d.size;
  return (cpu, i) => {
    const a = addressOf(cpu, i, size);
    if (size === 8) {
      const lo = read64(cpu, d, a);
      const r = alu64(cpu, SUB, 0, 0, lo, cpu.tHi);
      write64(cpu, d, a, r, cpu.tHi);
    } else write(cpu, d, a, alu(cpu, SUB, 0, read(cpu, d, a), size));
  };
};

/** NOT changes no flags. */
const not: Factory = (raw) => {
  const [d] = raw.ops;
  const size = d.size;
  return (cpu, i) => {
    const a = addressOf(cpu, i, size);
    if (size === 8) {
      const lo = read64(cpu, d, a);
      write64(cpu, d, a, ~lo, ~cpu.tHi);
    } else write(cpu, d, a, ~read(cpu, d, a) & MASK[size]);
  };
};

export const aluOps: Record<string, Factory> = {
  ADD: binary(ADD),
  OR: binary(OR),
  ADC: binary(ADC),
  SBB: binary(SBB),
  AND: binary(AND),
  SUB: binary(SUB),
  XOR: binary(XOR),
  CMP: binary(CMP),
  TEST: binary(TEST),
  INC: incDec(1),
  DEC: incDec(-1),
  NEG: neg,
  NOT: not,
};



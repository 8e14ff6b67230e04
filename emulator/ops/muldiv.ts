/**
 * MUL, IMUL (one, two and three operands), DIV, IDIV. Products of up to 32 bits are exact in
 * numbers; 64-bit products and every division go through BigInt (not on any hot path).
 * Undefined flags: SF, ZF, PF follow the low half of the result and AF is cleared (what the
 * host AMD processor does); DIV/IDIV leave every flag unchanged.
 */
import type { Cpu } from '../cpu/state.ts';
import { CF, OF, STATUS, szp, szp64 } from '../cpu/flags.ts';
import { divideError } from '../cpu/faults.ts';
import { OP_IMM } from '../decode/insn.ts';
import { addressOf, readBig, regBig, setRegBig, write, writeBig, read, readSized, setReg, getReg, type Factory } from './operands.ts';

const RAX = 0;
const RDX = 2;

function setMulFlags(cpu: Cpu, overflow: boolean, low: number, size: number): void {
  cpu.flags = (cpu.flags & ~STATUS) | (overflow ? CF | OF : 0) | szp(low, size);
}

function setMulFlags64(cpu: Cpu, overflow: boolean, low: bigint): void {
  const lo = Number(low & 0xffffffffn) | 0;
  const hi = Number(low >> 32n) | 0;
  cpu.flags = (cpu.flags & ~STATUS) | (overflow ? CF | OF : 0) | szp64(lo, hi);
}

/** Unsigned 32x32 -> 64 product as [low, high], exact. */
function mul32(a: number, b: number): [number, number] {
  const aL = a & 0xffff;
  const aH = a >>> 16;
  const bL = b & 0xffff;
  const bH = b >>> 16;
  const mid = aL * bH + aH * bL;
  const low = aL * bL + (mid % 65536) * 65536;
  const high = aH * bH + Math.floor(mid / 65536) + Math.floor(low / 4294967296);
  return [low >>> 0, high >>> 0];
}

const signed = (v: bigint, size: number) => BigInt.asIntN(size * 8, v);

const mul: Factory = (raw) => {
  const [s] = raw.ops;
  const size = s.size;
  return (cpu, i) => {
    const a = addressOf(cpu, i, size);
    if (size === 8) {
      const p = regBig(cpu, RAX, 8) * readBig(cpu, s, a, 8);
      const lo = BigInt.asUintN(64, p);
      const hi = p >> 64n;
      setRegBig(cpu, RAX, 8, lo);
      setRegBig(cpu, RDX, 8, hi);
      setMulFlags64(cpu, hi !== 0n, lo);
      return;
    }
    const x = getReg(cpu, RAX, size);
    const y = read(cpu, s, a);
    if (size === 1) {
      const p = x * y;
      setReg(cpu, RAX, 2, p);
      setMulFlags(cpu, p > 0xff, p & 0xff, 1);
    } else if (size === 2) {
      const p = x * y;
      setReg(cpu, RAX, 2, p & 0xffff);
      setReg(cpu, RDX, 2, p >>> 16);
      setMulFlags(cpu, p > 0xffff, p & 0xffff, 2);
    } else {
      const [lo, hi] = mul32(x, y);
      setReg(cpu, RAX, 4, lo);
      setReg(cpu, RDX, 4, hi);
      setMulFlags(cpu, hi !== 0, lo, 4);
    }
  };
};

/** The signed product of two values of `size` bytes, and whether it fits in `size` bytes. */
function imulValues(x: bigint, y: bigint, size: number): { product: bigint; fits: boolean } {
  const product = signed(x, size) * signed(y, size);
  return { product, fits: signed(product, size) === product };
}

const imul: Factory = (raw) => {
  const ops = raw.ops;
  if (ops.length === 1) {
    const [s] = ops;
    const size = s.size;
    return (cpu, i) => {
      const a = addressOf(cpu, i, size);
      const { product, fits } = imulValues(regBig(cpu, RAX, size), readBig(cpu, s, a, size), size);
      const low = BigInt.asUintN(size * 8, product);
      if (size === 1) setRegBig(cpu, RAX, 2, product);
      else {
        setRegBig(cpu, RAX, size, low);
        setRegBig(cpu, RDX, size, product >> BigInt(size * 8));
      }
      if (size === 8) setMulFlags64(cpu, !fits, low);
      else setMulFlags(cpu, !fits, Number(low), size);
    };
  }
  const [d, s1] = ops;
  const s2 = ops.length === 3 ? ops[2] : null;
  const size = d.size;
  if (size <= 2 || size === 4) {
    return (cpu, i) => {
      const a = addressOf(cpu, i, size);
      const x = s2 ? readSized(cpu, s1, a, size) : read(cpu, d, a);
      const y = s2 ? readSized(cpu, s2, a, size) : readSized(cpu, s1, a, size);
      const sx = size === 4 ? x | 0 : (x << (32 - size * 8)) >> (32 - size * 8);
      const sy = size === 4 ? y | 0 : (y << (32 - size * 8)) >> (32 - size * 8);
      const low = Math.imul(sx, sy);
      const r = size === 4 ? low >>> 0 : low & (size === 2 ? 0xffff : 0xff);
      const exact = sx * sy;
      // |exact| < 2^62: where a double rounds, the value is far outside the int32 range anyway.
      const fits = size === 4 ? exact >= -2147483648 && exact <= 2147483647 : ((r << (32 - size * 8)) >> (32 - size * 8)) === exact;
      const overflow = !fits;
      write(cpu, d, a, r);
      setMulFlags(cpu, overflow, r, size);
    };
  }
  return (cpu, i) => {
    const a = addressOf(cpu, i, size);
    const x = s2 ? readBig(cpu, s1, a, 8) : readBig(cpu, d, a, 8);
    const y = s2 ? (s2.kind === OP_IMM ? BigInt.asUintN(64, (BigInt(s2.immHi) << 32n) | BigInt(s2.immLo >>> 0)) : readBig(cpu, s2, a, 8)) : readBig(cpu, s1, a, 8);
    const { product, fits } = imulValues(x, y, 8);
    const low = BigInt.asUintN(64, product);
    writeBig(cpu, d, a, 8, low);
    setMulFlags64(cpu, !fits, low);
  };
};

function divide(isSigned: boolean): Factory {
  return (raw) => {
    const [s] = raw.ops;
    const size = s.size;
    const name = isSigned ? 'IDIV' : 'DIV';
    const bits = BigInt(size * 8);
    return (cpu, i) => {
      const a = addressOf(cpu, i, size);
      let divisor = readBig(cpu, s, a, size);
      if (divisor === 0n) throw divideError(`${name}: divisor is zero`);
      let dividend: bigint;
      if (size === 1) dividend = regBig(cpu, RAX, 2);
      else dividend = (regBig(cpu, RDX, size) << bits) | regBig(cpu, RAX, size);
      if (isSigned) {
        dividend = BigInt.asIntN(Number(bits) * 2, dividend);
        divisor = signed(divisor, size);
      }
      const q = dividend / divisor;
      const r = dividend % divisor;
      const fits = isSigned ? signed(q, size) === q : q >> bits === 0n;
      if (!fits) throw divideError(`${name}: the quotient ${q} does not fit in ${size * 8} bits`);
      if (size === 1) {
        setReg(cpu, RAX, 2, (Number(BigInt.asUintN(8, r)) << 8) | Number(BigInt.asUintN(8, q)));
      } else {
        setRegBig(cpu, RAX, size, q);
        setRegBig(cpu, RDX, size, r);
      }
    };
  };
}

export const muldivOps: Record<string, Factory> = {
  MUL: mul,
  IMUL: imul,
  DIV: divide(false),
  IDIV: divide(true),
};

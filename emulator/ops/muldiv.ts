/**
 * MUL, IMUL (one, two and three operands), DIV, IDIV. Products are built from exact 32x32-bit
 * partial products in numbers (no allocation); a division whose operands fit in 52 bits is done in
 * numbers, any other goes through BigInt.
 * Undefined flags: SF, ZF, PF follow the low half of the result and AF is cleared (what the
 * host AMD processor does); DIV/IDIV leave every flag unchanged.
 */
import type { Cpu } from '../cpu/state.ts';
import { CF, OF, STATUS, szp, szp64 } from '../arch/rflags.ts';
import { divideError } from '../arch/faults.ts';
import { OP_IMM } from '../cpu/insn.ts';
import { addressOf, read64, readBig, regBig, setRegBig, signExtend, write, write64, read, readSized, setReg, getReg, type Factory } from './operands.ts';
import { TWO32 } from '../arch/registers.ts';

const RAX = 0;
const RDX = 2;

function setMulFlags(cpu: Cpu, overflow: boolean, low: number, size: number): void {
  cpu.flags = (cpu.flags & ~STATUS) | (overflow ? CF | OF : 0) | szp(low, size);
}

function setMulFlags64(cpu: Cpu, overflow: boolean, lo: number, hi: number): void {
  cpu.flags = (cpu.flags & ~STATUS) | (overflow ? CF | OF : 0) | szp64(lo, hi);
}

/** The last unsigned 32x32 product's halves. */
let pLo = 0;
let pHi = 0;

/** Unsigned 32x32 -> 64 product into pLo/pHi, exact. */
function mul32(a: number, b: number): void {
  const aL = a & 0xffff;
  const aH = a >>> 16;
  const bL = b & 0xffff;
  const bH = b >>> 16;
  const mid = aL * bH + aH * bL;
  const low = aL * bL + (mid % 65536) * 65536;
  pLo = low >>> 0;
  pHi = (aH * bH + Math.floor(mid / 65536) + Math.floor(low / 4294967296)) >>> 0;
}

/** The last 64x64 product's four 32-bit words, least significant first (unsigned). */
let w0 = 0;
let w1 = 0;
let w2 = 0;
let w3 = 0;

/** Unsigned 64x64 -> 128 product of aHi:aLo and bHi:bLo into w0..w3. */
function mul64(aLo: number, aHi: number, bLo: number, bHi: number): void {
  mul32(aLo, bLo);
  w0 = pLo;
  const h0 = pHi;
  mul32(aLo, bHi);
  const l1 = pLo;
  const h1 = pHi;
  mul32(aHi, bLo);
  const l2 = pLo;
  const h2 = pHi;
  mul32(aHi, bHi);
  const t1 = h0 + l1 + l2;
  w1 = t1 >>> 0;
  const t2 = h1 + h2 + pLo + Math.floor(t1 / 4294967296);
  w2 = t2 >>> 0;
  w3 = (pHi + Math.floor(t2 / 4294967296)) >>> 0;
}

/** Turns the unsigned product in w0..w3 into the signed one: the high half less b when a < 0 and less a when b < 0 (mod 2^64). */
function signProduct(aLo: number, aHi: number, bLo: number, bHi: number): void {
  if (aHi < 0) subtractHigh(bLo >>> 0, bHi >>> 0);
  if (bHi < 0) subtractHigh(aLo >>> 0, aHi >>> 0);
}

function subtractHigh(lo: number, hi: number): void {
  const low = w2 - lo;
  const borrow = low < 0 ? 1 : 0;
  w2 = low >>> 0;
  w3 = (w3 - hi - borrow) >>> 0;
}

/** A signed 64x64 product fits in 64 bits when its high half is the sign extension of its low half. */
const fits64 = (): boolean => (w1 & 0x80000000 ? w2 === 0xffffffff && w3 === 0xffffffff : w2 === 0 && w3 === 0);

const mul: Factory = (raw) => {
  const [s] = raw.ops;
  const size = s.size;
  return (cpu, i) => {
    const a = addressOf(cpu, i, size);
    if (size === 8) {
      const yLo = read64(cpu, s, a);
      mul64(cpu.lo[RAX], cpu.hi[RAX], yLo, cpu.tHi);
      setReg(cpu, RAX, 8, w0 | 0, w1 | 0);
      setReg(cpu, RDX, 8, w2 | 0, w3 | 0);
      setMulFlags64(cpu, (w2 | w3) !== 0, w0 | 0, w1 | 0);
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
      mul32(x, y);
      const lo = pLo;
      const hi = pHi;
      setReg(cpu, RAX, 4, lo);
      setReg(cpu, RDX, 4, hi);
      setMulFlags(cpu, hi !== 0, lo, 4);
    }
  };
};

const imul: Factory = (raw) => {
  const ops = raw.ops;
  if (ops.length === 1) {
    const [s] = ops;
    const size = s.size;
    return (cpu, i) => {
      const a = addressOf(cpu, i, size);
      if (size === 8) {
        const xLo = cpu.lo[RAX];
        const xHi = cpu.hi[RAX];
        const yLo = read64(cpu, s, a);
        const yHi = cpu.tHi;
        mul64(xLo, xHi, yLo, yHi);
        signProduct(xLo, xHi, yLo, yHi);
        const fits = fits64();
        setReg(cpu, RAX, 8, w0 | 0, w1 | 0);
        setReg(cpu, RDX, 8, w2 | 0, w3 | 0);
        setMulFlags64(cpu, !fits, w0 | 0, w1 | 0);
        return;
      }
      const sx = signExtend(getReg(cpu, RAX, size), size);
      const sy = signExtend(readSized(cpu, s, a, size), size);
      if (size === 4) {
        // Signed 32x32: the unsigned product, less y·2^32 when x < 0 and x·2^32 when y < 0.
        mul32(sx >>> 0, sy >>> 0);
        const lo = pLo;
        const hi = (pHi - (sx < 0 ? sy >>> 0 : 0) - (sy < 0 ? sx >>> 0 : 0)) >>> 0;
        setReg(cpu, RAX, 4, lo);
        setReg(cpu, RDX, 4, hi);
        setMulFlags(cpu, hi !== (lo & 0x80000000 ? 0xffffffff : 0), lo, 4);
        return;
      }
      const product = sx * sy;
      const bits = size * 8;
      const low = product & (size === 1 ? 0xff : 0xffff);
      const fits = signExtend(low, size) === product;
      if (size === 1) setReg(cpu, RAX, 2, product & 0xffff);
      else {
        setReg(cpu, RAX, 2, low);
        setReg(cpu, RDX, 2, (product >> bits) & 0xffff);
      }
      setMulFlags(cpu, !fits, low, size);
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
    const xLo = read64(cpu, s2 ? s1 : d, a);
    const xHi = cpu.tHi;
    let yLo: number;
    let yHi: number;
    if (s2 && s2.kind === OP_IMM) {
      yLo = s2.immLo;
      yHi = s2.immHi;
    } else {
      yLo = read64(cpu, s2 ?? s1, a);
      yHi = cpu.tHi;
    }
    mul64(xLo, xHi, yLo, yHi);
    signProduct(xLo, xHi, yLo, yHi);
    const fits = fits64();
    write64(cpu, d, a, w0 | 0, w1 | 0);
    setMulFlags64(cpu, !fits, w0 | 0, w1 | 0);
  };
};

/** Dividends and divisors below this are divided exactly in numbers. */
const EXACT = 2 ** 52;

/** The last exact division's quotient and remainder (truncated toward zero), or NaN when it did not apply. */
let quotient = 0;
let remainder = 0;

/** Divides n by d (|n|, |d| < 2^52, d != 0) exactly, truncating toward zero. */
function divideExact(n: number, d: number): void {
  const an = Math.abs(n);
  const ad = Math.abs(d);
  let q = Math.floor(an / ad);
  let r = an - q * ad;
  // The quotient of the doubles is rounded: at most one step off.
  if (r < 0) {
    q--;
    r += ad;
  } else if (r >= ad) {
    q++;
    r -= ad;
  }
  quotient = (n < 0) !== (d < 0) ? -q : q;
  remainder = n < 0 ? -r : r;
}

/** The dividend (RDX:RAX, EDX:EAX, DX:AX or AX) as a number when it is below 2^52 in magnitude, else NaN. */
function smallDividend(cpu: Cpu, size: number, isSigned: boolean): number {
  if (size === 1) {
    const v = cpu.lo[RAX] & 0xffff;
    return isSigned ? (v << 16) >> 16 : v;
  }
  if (size === 2) {
    const v = (cpu.lo[RDX] & 0xffff) * 65536 + (cpu.lo[RAX] & 0xffff);
    return isSigned ? v | 0 : v;
  }
  const lo = size === 4 ? cpu.lo[RAX] >>> 0 : cpu.lo[RAX] >>> 0;
  const mid = size === 4 ? cpu.lo[RDX] : cpu.hi[RAX];
  // Above the 64 bits that hold the value, only a sign extension (or zero) keeps it small.
  const upper = size === 4 ? 0 : isSigned ? (cpu.hi[RAX] < 0 ? -1 : 0) : 0;
  if (size === 8 && (cpu.lo[RDX] !== upper || cpu.hi[RDX] !== upper)) return NaN;
  const v = isSigned ? mid * TWO32 + lo : (mid >>> 0) * TWO32 + lo;
  return Math.abs(v) < EXACT ? v : NaN;
}

function divide(isSigned: boolean): Factory {
  return (raw) => {
    const [s] = raw.ops;
    const size = s.size;
    const name = isSigned ? 'IDIV' : 'DIV';
    const bits = BigInt(size * 8);
    const range = 2 ** (size * 8);
    return (cpu, i) => {
      const a = addressOf(cpu, i, size);
      let divisorLo: number;
      let divisorHi = 0;
      if (size === 8) {
        divisorLo = read64(cpu, s, a) >>> 0;
        divisorHi = cpu.tHi;
      } else divisorLo = readSized(cpu, s, a, size);
      if (divisorLo === 0 && divisorHi === 0) throw divideError(`${name}: divisor is zero`);
      const n = smallDividend(cpu, size, isSigned);
      const d = size === 8 ? (isSigned ? divisorHi : divisorHi >>> 0) * TWO32 + divisorLo : isSigned ? signExtend(divisorLo, size) : divisorLo;
      if (!Number.isNaN(n) && Math.abs(d) < EXACT) {
        divideExact(n, d);
        const q = quotient;
        const fits = isSigned ? q >= -range / 2 && q < range / 2 : q < range;
        if (!fits) throw divideError(`${name}: the quotient ${q} does not fit in ${size * 8} bits`);
        if (size === 1) setReg(cpu, RAX, 2, ((remainder & 0xff) << 8) | (q & 0xff));
        else if (size === 8) {
          const qh = Math.floor(q / TWO32);
          const rh = Math.floor(remainder / TWO32);
          setReg(cpu, RAX, 8, (q - qh * TWO32) | 0, qh | 0);
          setReg(cpu, RDX, 8, (remainder - rh * TWO32) | 0, rh | 0);
        } else {
          setReg(cpu, RAX, size, q | 0);
          setReg(cpu, RDX, size, remainder | 0);
        }
        return;
      }
      let divisor = readBig(cpu, s, a, size);
      let dividend: bigint;
      if (size === 1) dividend = regBig(cpu, RAX, 2);
      else dividend = (regBig(cpu, RDX, size) << bits) | regBig(cpu, RAX, size);
      if (isSigned) {
        dividend = BigInt.asIntN(Number(bits) * 2, dividend);
        divisor = BigInt.asIntN(size * 8, divisor);
      }
      const q = dividend / divisor;
      const r = dividend % divisor;
      const fits = isSigned ? BigInt.asIntN(size * 8, q) === q : q >> bits === 0n;
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

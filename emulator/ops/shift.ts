/**
 * SHL/SAL SHR SAR ROL ROR RCL RCR SHLD SHRD (Intel SDM Vol. 2B, SAL/SAR/SHL/SHR, RCL/RCR/ROL/ROR,
 * SHLD, SHRD). Counts are masked to 5 bits (6 with a 64-bit operand); a masked count of zero
 * changes no flags. Where the SDM leaves OF undefined (counts above 1) it is computed with the
 * count-1 formula on the final result, and AF is cleared, as on the host AMD processor.
 *
 * Values are held as two unsigned 32-bit halves (the high half zero below 64 bits) and results
 * left in module scratch, so that no instruction allocates.
 */
import type { Cpu } from '../cpu/state.ts';
import { CF, OF, PARITY, SF, STATUS, ZF } from '../arch/rflags.ts';
import { OP_IMM, OP_REG, type Operand } from '../cpu/insn.ts';
import { addressOf, read64, readSized, write, write64, type Factory } from './operands.ts';

const countOf = (cpu: Cpu, op: Operand | undefined): number =>
  op === undefined ? 1 : op.kind === OP_IMM ? op.immLo & 0xff : op.kind === OP_REG ? cpu.lo[op.reg] & 0xff : 1;

/** The result of the last operation below: its halves, CF and OF. */
let rl = 0;
let rh = 0;
let cfOut = 0;
let ofOut = 0;

function shlPair(lo: number, hi: number, c: number): void {
  if (c === 0) {
    rl = lo >>> 0;
    rh = hi >>> 0;
  } else if (c < 32) {
    rh = ((hi << c) | (lo >>> (32 - c))) >>> 0;
    rl = (lo << c) >>> 0;
  } else if (c < 64) {
    rh = (lo << (c - 32)) >>> 0;
    rl = 0;
  } else rl = rh = 0;
}

function shrPair(lo: number, hi: number, c: number): void {
  if (c === 0) {
    rl = lo >>> 0;
    rh = hi >>> 0;
  } else if (c < 32) {
    rl = ((lo >>> c) | (hi << (32 - c))) >>> 0;
    rh = hi >>> c;
  } else if (c < 64) {
    rl = hi >>> (c - 32);
    rh = 0;
  } else rl = rh = 0;
}

/** Keeps the low `n` bits of the result. */
function maskResult(n: number): void {
  if (n === 64) return;
  rh = 0;
  if (n < 32) rl &= (1 << n) - 1;
}

const bitOf = (lo: number, hi: number, k: number): number => (k < 0 || k > 63 ? 0 : k < 32 ? (lo >>> k) & 1 : (hi >>> (k - 32)) & 1);

/** ZF, SF and PF of the result. */
const resultFlags = (n: number): number => ((rl | rh) === 0 ? ZF : 0) | (bitOf(rl, rh, n - 1) ? SF : 0) | PARITY[rl & 0xff];

/** One shift or rotate of the `n`-bit value lo:hi by `c` (1..63), with CF in: leaves the result, CF and OF. */
type Shift = (lo: number, hi: number, c: number, n: number, cfIn: number) => void;

const shl: Shift = (lo, hi, c, n) => {
  shlPair(lo, hi, c);
  maskResult(n);
  cfOut = c <= n ? bitOf(lo, hi, n - c) : 0;
  ofOut = bitOf(rl, rh, n - 1) ^ cfOut;
};

const shr: Shift = (lo, hi, c, n) => {
  cfOut = bitOf(lo, hi, c - 1);
  shrPair(lo, hi, c);
  ofOut = c === 1 ? bitOf(lo, hi, n - 1) : bitOf(rl, rh, n - 1) ^ bitOf(rl, rh, n - 2);
};

const sar: Shift = (lo, hi, c, n) => {
  cfOut = bitOf(lo, hi, Math.min(c - 1, n - 1));
  ofOut = 0;
  if (n === 64) {
    const h = hi | 0;
    if (c < 32) {
      rl = ((lo >>> c) | (h << (32 - c))) >>> 0;
      rh = (h >> c) >>> 0;
    } else {
      rl = (h >> (c - 32)) >>> 0;
      rh = (h >> 31) >>> 0;
    }
    return;
  }
  // n <= 32 and c <= 31: the int32 arithmetic shift of the sign-extended value.
  const s = n === 32 ? lo | 0 : (lo << (32 - n)) >> (32 - n);
  rl = n === 32 ? (s >> c) >>> 0 : (s >> c) & ((1 << n) - 1);
  rh = 0;
};

/** lo:hi rotated left by t (0 < t < n) within n bits. */
function rotateLeft(lo: number, hi: number, t: number, n: number): void {
  shlPair(lo, hi, t);
  const l = rl;
  const h = rh;
  shrPair(lo, hi, n - t);
  rl = (rl | l) >>> 0;
  rh = (rh | h) >>> 0;
  maskResult(n);
}

const rol: Shift = (lo, hi, c, n) => {
  const t = c % n;
  if (t === 0) {
    rl = lo >>> 0;
    rh = hi >>> 0;
  } else rotateLeft(lo, hi, t, n);
  cfOut = rl & 1;
  ofOut = bitOf(rl, rh, n - 1) ^ cfOut;
};

const ror: Shift = (lo, hi, c, n) => {
  const t = c % n;
  if (t === 0) {
    rl = lo >>> 0;
    rh = hi >>> 0;
  } else rotateLeft(lo, hi, n - t, n);
  cfOut = bitOf(rl, rh, n - 1);
  ofOut = cfOut ^ bitOf(rl, rh, n - 2);
};

/** RCL rotates the n+1 bits CF:value: value bit i goes to i+t, CF to t-1, and bit n-t becomes CF. */
const rcl: Shift = (lo, hi, c, n, cfIn) => {
  const t = n <= 16 ? c % (n + 1) : c;
  if (t === 0) {
    rl = lo >>> 0;
    rh = hi >>> 0;
    cfOut = cfIn;
  } else {
    shlPair(lo, hi, t);
    let l = rl;
    let h = rh;
    shlPair(cfIn, 0, t - 1);
    l |= rl;
    h |= rh;
    shrPair(lo, hi, n + 1 - t);
    rl = (rl | l) >>> 0;
    rh = (rh | h) >>> 0;
    maskResult(n);
    cfOut = bitOf(lo, hi, n - t);
  }
  ofOut = bitOf(rl, rh, n - 1) ^ cfOut;
};

/** RCR: value bit i goes to i-t (wrapping through CF at bit n), CF to n-t, and bit t-1 becomes CF. */
const rcr: Shift = (lo, hi, c, n, cfIn) => {
  const t = n <= 16 ? c % (n + 1) : c;
  if (t === 0) {
    rl = lo >>> 0;
    rh = hi >>> 0;
    cfOut = cfIn;
  } else {
    shrPair(lo, hi, t);
    let l = rl;
    let h = rh;
    shlPair(cfIn, 0, n - t);
    l |= rl;
    h |= rh;
    shlPair(lo, hi, n + 1 - t);
    rl = (rl | l) >>> 0;
    rh = (rh | h) >>> 0;
    maskResult(n);
    cfOut = bitOf(lo, hi, t - 1);
  }
  ofOut = bitOf(rl, rh, n - 1) ^ bitOf(rl, rh, n - 2);
};

/** Reads the operand's value into lo (returned) and cpu.tHi (zero below 64 bits). */
function readValue(cpu: Cpu, op: Operand, a: number, size: number): number {
  if (size === 8) return read64(cpu, op, a) >>> 0;
  cpu.tHi = 0;
  return readSized(cpu, op, a, size);
}

function writeResult(cpu: Cpu, op: Operand, a: number, size: number): void {
  if (size === 8) write64(cpu, op, a, rl | 0, rh | 0);
  else write(cpu, op, a, rl);
}

function shiftOp(fn: Shift, setsSzp: boolean): Factory {
  return (raw) => {
    const [d, cOp] = raw.ops;
    const size = d.size;
    const n = size * 8;
    const countMask = n === 64 ? 63 : 31;
    return (cpu, i) => {
      const c = countOf(cpu, cOp) & countMask;
      const a = addressOf(cpu, i, size);
      const lo = readValue(cpu, d, a, size);
      const hi = cpu.tHi >>> 0;
      if (c === 0) {
        // The operand is still read (and written back) for a zero count; nothing changes.
        rl = lo;
        rh = hi;
        writeResult(cpu, d, a, size);
        return;
      }
      fn(lo, hi, c, n, cpu.flags & CF);
      writeResult(cpu, d, a, size);
      const carry = (cfOut ? CF : 0) | (ofOut ? OF : 0);
      if (setsSzp) cpu.flags = (cpu.flags & ~STATUS) | carry | resultFlags(n);
      else cpu.flags = (cpu.flags & ~(CF | OF)) | carry;
    };
  };
}

/** SHLD/SHRD: count masked to 5/6 bits; with a 16-bit operand and a count above 16 the source repeats (dest:src:src for SHLD, src:src:dest for SHRD), as the host AMD processor does. */
function doubleShift(left: boolean): Factory {
  return (raw) => {
    const [d, s, cOp] = raw.ops;
    const size = d.size;
    const n = size * 8;
    return (cpu, i) => {
      const c = countOf(cpu, cOp) & (n === 64 ? 63 : 31);
      const a = addressOf(cpu, i, size);
      const lo = readValue(cpu, d, a, size);
      const hi = cpu.tHi >>> 0;
      if (c === 0) {
        rl = lo;
        rh = hi;
        writeResult(cpu, d, a, size);
        return;
      }
      const sLo = readValue(cpu, s, a, size);
      const sHi = cpu.tHi >>> 0;
      let cf: number;
      if (n === 16) {
        // The 48 bits dest:src:src (SHLD) or src:src:dest (SHRD) are exact as a double.
        if (left) {
          const wide = lo * 2 ** 32 + sLo * 65536 + sLo;
          rl = Math.floor(wide / 2 ** (32 - c)) % 65536;
          cf = Math.floor(wide / 2 ** (48 - c)) % 2;
        } else {
          const wide = sLo * 2 ** 32 + sLo * 65536 + lo;
          rl = Math.floor(wide / 2 ** c) % 65536;
          cf = Math.floor(wide / 2 ** (c - 1)) % 2;
        }
        rh = 0;
        // A count beyond a 16-bit operand leaves CF clear on the host AMD processor (the SDM leaves it undefined).
        if (c > n) cf = 0;
      } else if (left) {
        shrPair(sLo, sHi, n - c);
        const l = rl;
        const h = rh;
        shlPair(lo, hi, c);
        rl = (rl | l) >>> 0;
        rh = (rh | h) >>> 0;
        maskResult(n);
        cf = bitOf(lo, hi, n - c);
      } else {
        shlPair(sLo, sHi, n - c);
        const l = rl;
        const h = rh;
        shrPair(lo, hi, c);
        rl = (rl | l) >>> 0;
        rh = (rh | h) >>> 0;
        maskResult(n);
        cf = bitOf(lo, hi, c - 1);
      }
      writeResult(cpu, d, a, size);
      const of = bitOf(rl, rh, n - 1) ^ bitOf(lo, hi, n - 1);
      cpu.flags = (cpu.flags & ~STATUS) | (cf ? CF : 0) | (of ? OF : 0) | resultFlags(n);
    };
  };
}

export const shiftOps: Record<string, Factory> = {
  SHL: shiftOp(shl, true),
  SAL: shiftOp(shl, true),
  SHR: shiftOp(shr, true),
  SAR: shiftOp(sar, true),
  ROL: shiftOp(rol, false),
  ROR: shiftOp(ror, false),
  RCL: shiftOp(rcl, false),
  RCR: shiftOp(rcr, false),
};
shiftOps.SHLD = doubleShift(true);
shiftOps.SHRD = doubleShift(false);

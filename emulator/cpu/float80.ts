/**
 * Conversions between the x87 80-bit extended format and the IEEE single and double formats
 * (SDM Vol. 1, 4.2 and 8.2), with the rounding control, flags and special cases x87 loads and
 * stores observe. BigInt is fine here: only FLD and FST(P) with memory operands come this way.
 */

/** An 80-bit value: sign and 15-bit exponent in `se`, the 64-bit significand (explicit integer bit) in `mant`. */
export interface Ext {
  se: number;
  mant: bigint;
}

export interface Format {
  /** Significand bits including the hidden bit. */
  p: number;
  expBits: number;
}

export const SINGLE: Format = { p: 24, expBits: 8 };
export const DOUBLE: Format = { p: 53, expBits: 11 };

export const F_IE = 1;
export const F_DE = 2;
export const F_OE = 8;
export const F_UE = 16;
export const F_PE = 32;
/** Not an exception: the rounding went away from zero (x87 reports it in C1). */
export const ROUNDED_UP = 0x200;

const TOP_BIT = 1n << 63n;
const QUIET_BIT = 1n << 62n;
const MANT_MASK = (1n << 64n) - 1n;

/** The x87 "real indefinite" QNaN. */
export const INDEFINITE: Ext = { se: 0xffff, mant: 0xc000000000000000n };

export const RC_NEAREST = 0;
export const RC_DOWN = 1;
export const RC_UP = 2;
export const RC_ZERO = 3;

/** Loads a single or double (bits as bigint) into extended format: exact, SNaN quieted with #IA, denormals flagged #D. */
export function toExtended(bits: bigint, f: Format): { value: Ext; flags: number } {
  const fracBits = BigInt(f.p - 1);
  const sign = Number((bits >> BigInt(f.p - 1 + f.expBits)) & 1n);
  const expMax = (1 << f.expBits) - 1;
  const bias = expMax >> 1;
  const exp = Number((bits >> fracBits) & BigInt(expMax));
  const frac = bits & ((1n << fracBits) - 1n);
  const s = sign << 15;
  if (exp === expMax) {
    if (frac === 0n) return { value: { se: s | 0x7fff, mant: TOP_BIT }, flags: 0 };
    const m = TOP_BIT | (frac << BigInt(64 - f.p));
    return (m & QUIET_BIT) === 0n ? { value: { se: s | 0x7fff, mant: m | QUIET_BIT }, flags: F_IE } : { value: { se: s | 0x7fff, mant: m }, flags: 0 };
  }
  if (exp === 0) {
    if (frac === 0n) return { value: { se: s, mant: 0n }, flags: 0 };
    let m = frac << BigInt(64 - f.p + 1);
    let e = 1 - bias - 1;
    while ((m & TOP_BIT) === 0n) {
      m <<= 1n;
      e--;
    }
    return { value: { se: s | (e + 16383), mant: m & MANT_MASK }, flags: F_DE };
  }
  return { value: { se: s | (exp - bias + 16383), mant: TOP_BIT | (frac << BigInt(64 - f.p)) }, flags: 0 };
}

/** Indefinite in a memory format. */
export const indefiniteBits = (f: Format): bigint => ((1n << BigInt(f.expBits + 1)) - 1n) << BigInt(f.p - 1) | (1n << BigInt(f.p - 2));

/**
 * Rounds an extended value to single or double as FST(P) does: rounding control `rc`, overflow
 * and underflow (tininess detected after rounding), unsupported encodings and SNaN are #IA.
 */
export function fromExtended(v: Ext, f: Format, rc: number): { bits: bigint; flags: number } {
  const sign = (v.se >> 15) & 1;
  const exp = v.se & 0x7fff;
  const expMax = (1 << f.expBits) - 1;
  const bias = expMax >> 1;
  const signBits = BigInt(sign) << BigInt(f.p - 1 + f.expBits);
  const fracBits = BigInt(f.p - 1);
  const infBits = signBits | (BigInt(expMax) << fracBits);
  let mant = v.mant;
  if (exp === 0x7fff) {
    if ((mant & TOP_BIT) === 0n) return { bits: indefiniteBits(f), flags: F_IE };
    if ((mant & ~TOP_BIT) === 0n) return { bits: infBits, flags: 0 };
    const frac = ((mant >> BigInt(64 - f.p)) & ((1n << fracBits) - 1n)) | (1n << (fracBits - 1n));
    return { bits: infBits | frac, flags: (mant & QUIET_BIT) === 0n ? F_IE : 0 };
  }
  if (exp !== 0 && (mant & TOP_BIT) === 0n) return { bits: indefiniteBits(f), flags: F_IE };
  if (mant === 0n) return { bits: signBits, flags: 0 };
  let e = (exp === 0 ? 1 : exp) - 16383;
  while ((mant & TOP_BIT) === 0n) {
    mant <<= 1n;
    e--;
  }
  const emin = 1 - bias;
  const emax = bias;
  const round = (shift: number): { q: bigint; inexact: boolean; up: boolean } => {
    if (shift > 65) shift = 65;
    const s = BigInt(shift);
    let q = mant >> s;
    const rem = mant & ((1n << s) - 1n);
    const half = 1n << (s - 1n);
    const inexact = rem !== 0n;
    const up = rc === RC_NEAREST ? rem > half || (rem === half && (q & 1n) === 1n) : rc === RC_UP ? inexact && sign === 0 : rc === RC_DOWN ? inexact && sign === 1 : false;
    if (up) q += 1n;
    return { q, inexact, up };
  };
  const normalShift = 64 - f.p;
  if (e >= emin) {
    const r = round(normalShift);
    let q = r.q;
    const { inexact, up } = r;
    if (q === 1n << BigInt(f.p)) {
      q >>= 1n;
      e++;
    }
    if (e > emax) {
      const toMax = rc === RC_ZERO || (rc === RC_DOWN && sign === 0) || (rc === RC_UP && sign === 1);
      const maxBits = signBits | (BigInt(expMax - 1) << fracBits) | ((1n << fracBits) - 1n);
      return { bits: toMax ? maxBits : infBits, flags: F_OE | F_PE | (toMax ? 0 : ROUNDED_UP) };
    }
    const bits = signBits | (BigInt(e + bias) << fracBits) | (q & ((1n << fracBits) - 1n));
    return { bits, flags: (inexact ? F_PE : 0) | (up ? ROUNDED_UP : 0) };
  }
  const unbounded = round(normalShift);
  const tiny = !(e === emin - 1 && unbounded.q === 1n << BigInt(f.p));
  const { q, inexact, up } = round(normalShift + (emin - e));
  const flags = (inexact ? F_PE : 0) | (up ? ROUNDED_UP : 0) | (tiny && inexact ? F_UE : 0);
  return { bits: signBits | q, flags };
}

/** Whether the value would be tiny when stored (for an unmasked #U, which signals even when exact). */
export function isTinyFor(v: Ext, f: Format): boolean {
  const exp = v.se & 0x7fff;
  if (exp === 0x7fff || v.mant === 0n) return false;
  let mant = v.mant;
  let e = (exp === 0 ? 1 : exp) - 16383;
  while ((mant & TOP_BIT) === 0n) {
    mant <<= 1n;
    e--;
  }
  const bias = ((1 << f.expBits) - 1) >> 1;
  return e < 1 - bias;
}

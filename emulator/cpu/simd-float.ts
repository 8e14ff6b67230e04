/**
 * IEEE single and double addition as SSE performs it under MXCSR (SDM Vol. 1, 11.5): rounding
 * control, DAZ and FTZ, the SNaN/QNaN rules of Table 4-7 (the first source's NaN wins), and the
 * flags each lane raises. Computed in doubles: a sum of two singles rounded once to double and
 * once to single is correctly rounded (the double has more than 2p+2 bits), and TwoSum gives the
 * exact error, which decides inexactness and the directed roundings.
 */
import { MX_DAZ, MX_DE, MX_FTZ, MX_IE, MX_OE, MX_PE, MX_RC_SHIFT, MX_UE } from './fpu.ts';

const RC_NEAREST = 0;
const RC_DOWN = 1;
const RC_UP = 2;
const RC_ZERO = 3;
const UM = 1 << 11;

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const f64 = new Float64Array(1);
const u64 = new Uint32Array(f64.buffer);

const asSingle = (bits: number): number => {
  u32[0] = bits;
  return f32[0];
};
const singleBits = (v: number): number => {
  f32[0] = v;
  return u32[0];
};

/** Flags raised by the last add32/add64 call. */
export let laneFlags = 0;

const MAX_SINGLE = asSingle(0x7f7fffff);
const TWO128 = 2 ** 128;

function nextSingle(v: number, up: boolean): number {
  const b = singleBits(v);
  if (v === 0) return asSingle(up ? 1 : 0x80000001);
  return asSingle((v > 0) === up ? b + 1 : b - 1);
}

function directed(value: number, dir: number, rc: number, next: (v: number, up: boolean) => number): number {
  if (dir === 0 || rc === RC_NEAREST) return value;
  if (rc === RC_DOWN) return dir < 0 ? next(value, false) : value;
  if (rc === RC_UP) return dir > 0 ? next(value, true) : value;
  return value > 0 && dir < 0 ? next(value, false) : value < 0 && dir > 0 ? next(value, true) : value;
}

const OM = 1 << 10;

/**
 * With overflow unmasked no result is delivered, so PE says whether the sum rounded to the
 * format's precision with an unbounded exponent is inexact (host CPU: MAX+MAX reports OE alone,
 * MAX+tiny under round-up reports OE and PE).
 */
const postFlags = (flags: number, mx: number, exact: boolean): number => (flags & MX_OE && !(mx & OM) && exact ? flags & ~MX_PE : flags);
/** Brings an overflowing single sum into range exactly (a power-of-two scale). */
const SINGLE_SCALE = 2 ** -192;

const towardZeroFor = (rc: number, negative: boolean): boolean => rc === RC_ZERO || (rc === RC_DOWN && !negative) || (rc === RC_UP && negative);

/** ADDPS/ADDSS lane: single bits x + y under `mx`; flags in laneFlags. */
export function add32(x: number, y: number, mx: number): number {
  let flags = 0;
  const nanX = (x & 0x7f800000) === 0x7f800000 && (x & 0x7fffff) !== 0;
  const nanY = (y & 0x7f800000) === 0x7f800000 && (y & 0x7fffff) !== 0;
  if (nanX || nanY) {
    if ((nanX && !(x & 0x400000)) || (nanY && !(y & 0x400000))) flags |= MX_IE;
    laneFlags = flags;
    return (nanX ? x : y) | 0x400000;
  }
  if ((x & 0x7f800000) === 0 && (x & 0x7fffff) !== 0) {
    if (mx & MX_DAZ) x &= 0x80000000;
    else flags |= MX_DE;
  }
  if ((y & 0x7f800000) === 0 && (y & 0x7fffff) !== 0) {
    if (mx & MX_DAZ) y &= 0x80000000;
    else flags |= MX_DE;
  }
  const a = asSingle(x);
  const b = asSingle(y);
  const rc = (mx >> MX_RC_SHIFT) & 3;
  const s = a + b;
  if (Number.isNaN(s)) {
    laneFlags = flags | MX_IE;
    return 0xffc00000 | 0;
  }
  if (!Number.isFinite(a) || !Number.isFinite(b)) {
    laneFlags = flags;
    return singleBits(s) | 0;
  }
  const bb = s - a;
  const err = a - (s - bb) + (b - bb);
  let r = Math.fround(s);
  if (!Number.isFinite(r)) {
    flags |= MX_PE;
    if (towardZeroFor(rc, s < 0)) {
      const big = Math.abs(s) > TWO128 || (Math.abs(s) === TWO128 && Math.sign(err) !== -Math.sign(s));
      if (big) flags |= MX_OE;
      r = s < 0 ? -MAX_SINGLE : MAX_SINGLE;
    } else flags |= MX_OE;
    const scaled = s * SINGLE_SCALE;
    laneFlags = postFlags(flags, mx, err === 0 && Math.fround(scaled) === scaled);
    return singleBits(r) | 0;
  }
  const dir = r !== s ? Math.sign(s - r) : Math.sign(err);
  if (dir !== 0) {
    flags |= MX_PE;
    r = directed(r, dir, rc, nextSingle);
    if (!Number.isFinite(r)) flags |= MX_OE;
  } else if (r === 0 && rc === RC_DOWN && !(Object.is(a, 0) && Object.is(b, 0))) {
    r = -0;
  }
  if (r !== 0 && Math.abs(r) < 2 ** -126) {
    if (!(mx & UM)) flags |= MX_UE;
    else if (mx & MX_FTZ) {
      flags |= MX_UE | MX_PE;
      r = r < 0 ? -0 : 0;
    }
  }
  laneFlags = flags;
  return singleBits(r) | 0;
}

const MAX_DOUBLE = Number.MAX_VALUE;

function nextDouble(v: number, up: boolean): number {
  if (v === 0) return up ? Number.MIN_VALUE : -Number.MIN_VALUE;
  f64[0] = v;
  let lo = u64[0];
  let hi = u64[1];
  if ((v > 0) === up) {
    lo = (lo + 1) >>> 0;
    if (lo === 0) hi++;
  } else {
    if (lo === 0) hi--;
    lo = (lo - 1) >>> 0;
  }
  u64[0] = lo;
  u64[1] = hi;
  return f64[0];
}

/** ADDSD/ADDPD lane: doubles given as [lo, hi] halves; the result's halves land in out[0..1]. */
export function add64(xlo: number, xhi: number, ylo: number, yhi: number, mx: number, out: Int32Array, at: number): void {
  let flags = 0;
  const nanX = (xhi & 0x7ff00000) === 0x7ff00000 && ((xhi & 0xfffff) !== 0 || xlo !== 0);
  const nanY = (yhi & 0x7ff00000) === 0x7ff00000 && ((yhi & 0xfffff) !== 0 || ylo !== 0);
  if (nanX || nanY) {
    if ((nanX && !(xhi & 0x80000)) || (nanY && !(yhi & 0x80000))) flags |= MX_IE;
    laneFlags = flags;
    out[at] = nanX ? xlo : ylo;
    out[at + 1] = (nanX ? xhi : yhi) | 0x80000;
    return;
  }
  if ((xhi & 0x7ff00000) === 0 && ((xhi & 0xfffff) !== 0 || xlo !== 0)) {
    if (mx & MX_DAZ) {
      xhi &= 0x80000000;
      xlo = 0;
    } else flags |= MX_DE;
  }
  if ((yhi & 0x7ff00000) === 0 && ((yhi & 0xfffff) !== 0 || ylo !== 0)) {
    if (mx & MX_DAZ) {
      yhi &= 0x80000000;
      ylo = 0;
    } else flags |= MX_DE;
  }
  u64[0] = xlo;
  u64[1] = xhi;
  const a = f64[0];
  u64[0] = ylo;
  u64[1] = yhi;
  const b = f64[0];
  const rc = (mx >> MX_RC_SHIFT) & 3;
  let r = a + b;
  if (Number.isNaN(r)) {
    flags |= MX_IE;
    out[at] = 0;
    out[at + 1] = 0xfff80000 | 0;
    laneFlags = flags;
    return;
  }
  if (Number.isFinite(a) && Number.isFinite(b)) {
    if (!Number.isFinite(r)) {
      flags |= MX_PE;
      // Halving is exact for operands this large: h + he is the sum over two.
      const h = a / 2 + b / 2;
      const hb = h - a / 2;
      const he = a / 2 - (h - hb) + (b / 2 - hb);
      if (towardZeroFor(rc, r < 0)) {
        const big = Math.abs(h) > 2 ** 1023 || (Math.abs(h) === 2 ** 1023 && Math.sign(he) !== -Math.sign(h));
        if (big) flags |= MX_OE;
        r = r < 0 ? -MAX_DOUBLE : MAX_DOUBLE;
      } else flags |= MX_OE;
      flags = postFlags(flags, mx, he === 0);
    } else {
      const bb = r - a;
      const err = a - (r - bb) + (b - bb);
      const dir = Math.sign(err);
      if (dir !== 0) {
        flags |= MX_PE;
        r = directed(r, dir, rc, nextDouble);
        if (!Number.isFinite(r)) flags |= MX_OE;
      } else if (r === 0 && rc === RC_DOWN && !(Object.is(a, 0) && Object.is(b, 0))) {
        r = -0;
      }
      if (r !== 0 && Math.abs(r) < 2 ** -1022) {
        if (!(mx & UM)) flags |= MX_UE;
        else if (mx & MX_FTZ) {
          flags |= MX_UE | MX_PE;
          r = r < 0 ? -0 : 0;
        }
      }
    }
  }
  f64[0] = r;
  out[at] = u64[0] | 0;
  out[at + 1] = u64[1] | 0;
  laneFlags = flags;
}

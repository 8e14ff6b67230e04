/**
 * The x87 80-bit extended format (Intel SDM Vol. 1, 4.2.2 and Table 8-3) read for display: the
 * class of an encoding, including the pseudo-values the 387 and later reject, and its exact
 * value rounded to a number of significant decimal digits.
 */

export type ExtendedKind =
  | 'zero'
  | 'normal'
  | 'denormal'
  | 'pseudo-denormal'
  | 'unnormal'
  | 'infinity'
  | 'pseudo-infinity'
  | 'qnan'
  | 'snan'
  | 'indefinite'
  | 'pseudo-nan';

/** The tag FSTENV/FSAVE report for a non-empty register (SDM Vol. 1, 8.1.7). */
export type ExtendedTag = 'valid' | 'zero' | 'special';

export interface Extended {
  sign: 0 | 1;
  /** The biased 15-bit exponent. */
  exponent: number;
  /** The 64-bit significand, explicit integer bit included. */
  significand: bigint;
  kind: ExtendedKind;
  tag: ExtendedTag;
  /** The value in decimal, or the name of what it is when it is not a number. */
  text: string;
}

const INTEGER_BIT = 1n << 63n;
const QUIET_BIT = 1n << 62n;
const FRACTION = QUIET_BIT - 1n;
const BIAS = 16383;
/** 21 significant digits tell every 64-bit significand apart. */
const EXTENDED_DIGITS = 21;

function classify(exponent: number, significand: bigint, sign: number): ExtendedKind {
  const integer = (significand & INTEGER_BIT) !== 0n;
  if (exponent === 0x7fff) {
    if (!integer) return significand & ((1n << 63n) - 1n) ? 'pseudo-nan' : 'pseudo-infinity';
    if ((significand & (QUIET_BIT | FRACTION)) === 0n) return 'infinity';
    if ((significand & QUIET_BIT) === 0n) return 'snan';
    return sign === 1 && (significand & FRACTION) === 0n ? 'indefinite' : 'qnan';
  }
  if (exponent === 0) {
    if (significand === 0n) return 'zero';
    return integer ? 'pseudo-denormal' : 'denormal';
  }
  return integer ? 'normal' : 'unnormal';
}

const NAMES: Partial<Record<ExtendedKind, string>> = {
  'pseudo-nan': 'pseudo-NaN (unsupported)',
  'pseudo-infinity': 'pseudo-infinity (unsupported)',
  unnormal: 'unnormal (unsupported)',
  snan: 'SNaN',
  qnan: 'QNaN',
  indefinite: 'QNaN (real indefinite)',
};

export function decodeExtended(bits: bigint, digits = EXTENDED_DIGITS): Extended {
  const se = Number((bits >> 64n) & 0xffffn);
  const sign = (se >> 15) as 0 | 1;
  const exponent = se & 0x7fff;
  const significand = bits & ((1n << 64n) - 1n);
  const kind = classify(exponent, significand, sign);
  const tag: ExtendedTag = kind === 'zero' ? 'zero' : kind === 'normal' ? 'valid' : 'special';
  const minus = sign ? '-' : '';
  let text: string;
  if (kind === 'zero') text = `${minus}0`;
  else if (kind === 'infinity') text = `${minus}inf`;
  else if (NAMES[kind] !== undefined) text = `${minus}${NAMES[kind]}`;
  // Denormals and pseudo-denormals both scale by 2^(1 - bias - 63): the exponent field 0 means 1 - bias.
  else text = minus + binaryToDecimal(significand, Math.max(exponent, 1) - BIAS - 63, digits);
  return { sign, exponent, significand, kind, tag, text };
}

/**
 * `significand × 2^power` (significand > 0) rounded to `digits` significant decimal digits, ties to
 * even, written as JavaScript writes numbers: plain from 1e-6 up to 1e21, scientific outside.
 */
export function binaryToDecimal(significand: bigint, power: number, digits: number): string {
  let all: string;
  let exp10: number;
  if (power >= 0) {
    all = (significand << BigInt(power)).toString();
    exp10 = all.length - 1;
  } else {
    all = (significand * 5n ** BigInt(-power)).toString();
    exp10 = all.length - 1 + power;
  }
  let kept = all.slice(0, digits);
  const rest = all.slice(digits);
  if (rest.length > 0) {
    const first = rest.charCodeAt(0) - 48;
    const beyondHalf = first > 5 || (first === 5 && /[1-9]/.test(rest.slice(1)));
    const tie = first === 5 && !beyondHalf;
    const odd = (kept.charCodeAt(kept.length - 1) - 48) % 2 === 1;
    if (beyondHalf || (tie && odd)) {
      const up = (BigInt(kept) + 1n).toString();
      if (up.length > kept.length) exp10++;
      kept = up.slice(0, digits);
    }
  }
  kept = kept.replace(/0+$/, '') || '0';
  if (exp10 >= 21 || exp10 < -6) {
    const mantissa = kept.length > 1 ? `${kept[0]}.${kept.slice(1)}` : kept;
    return `${mantissa}e${exp10 < 0 ? '-' : '+'}${Math.abs(exp10)}`;
  }
  if (exp10 < 0) return `0.${'0'.repeat(-exp10 - 1)}${kept}`;
  if (kept.length <= exp10 + 1) return kept + '0'.repeat(exp10 + 1 - kept.length);
  return `${kept.slice(0, exp10 + 1)}.${kept.slice(exp10 + 1)}`;
}

/** An 80-bit register as hex: sign and exponent, then the significand. */
export const extendedHex = (bits: bigint): string => {
  const hex = bits.toString(16).padStart(20, '0');
  return `0x${hex.slice(0, 4)}_${hex.slice(4)}`;
};

/**
 * The x87 control and status words, the tag word and MXCSR as named bits and fields (Intel SDM
 * Vol. 1, 8.1.3, 8.1.5, 8.1.7 and 10.2.3), and XCR0/XSTATE_BV as the state components they name.
 */
import { decodeExtended } from './extended.ts';

export interface NamedBit {
  name: string;
  /** Set (for a flag), or the field's value in words (for a field). */
  on: boolean;
  text: string;
  title: string;
}

const bit = (value: number, n: number, name: string, title: string): NamedBit => ({ name, on: ((value >>> n) & 1) === 1, text: name, title });
const field = (name: string, text: string, title: string): NamedBit => ({ name, on: true, text: `${name}=${text}`, title });

const ROUNDING = ['nearest', 'down', 'up', 'toward zero'];
const ROUNDING_TITLES = ['round to nearest (even)', 'round down, toward −∞', 'round up, toward +∞', 'round toward zero (truncate)'];
const PRECISION = ['single', 'reserved', 'double', 'extended'];
const EXCEPTIONS: [string, string][] = [['I', 'invalid operation'], ['D', 'denormal operand'], ['Z', 'divide by zero'], ['O', 'overflow'], ['U', 'underflow'], ['P', 'precision (inexact)']];

export function decodeFcw(fcw: number): NamedBit[] {
  const pc = (fcw >> 8) & 3;
  const rc = (fcw >> 10) & 3;
  return [
    ...EXCEPTIONS.map(([letter, what], n) => bit(fcw, n, `${letter}M`, `${what} masked`)),
    field('PC', PRECISION[pc], `precision control: ${PRECISION[pc]}${pc === 1 ? '' : ` (${[24, 0, 53, 64][pc]}-bit significand)`}`),
    field('RC', ROUNDING[rc], ROUNDING_TITLES[rc]),
    bit(fcw, 12, 'X', 'infinity control (no effect since the 387)'),
  ];
}

export const fswTop = (fsw: number): number => (fsw >> 11) & 7;

export function decodeFsw(fsw: number): NamedBit[] {
  return [
    ...EXCEPTIONS.map(([letter, what], n) => bit(fsw, n, `${letter}E`, `${what} exception flag`)),
    bit(fsw, 6, 'SF', 'stack fault (with IE: C1 set for overflow, clear for underflow)'),
    bit(fsw, 7, 'ES', 'exception summary: an unmasked exception is pending'),
    bit(fsw, 8, 'C0', 'condition code 0'),
    bit(fsw, 9, 'C1', 'condition code 1'),
    bit(fsw, 10, 'C2', 'condition code 2'),
    bit(fsw, 14, 'C3', 'condition code 3'),
    field('TOP', String(fswTop(fsw)), `top of stack: st(0) is physical register R${fswTop(fsw)}`),
    bit(fsw, 15, 'B', 'busy (mirrors ES)'),
  ];
}

export function decodeMxcsr(mxcsr: number): NamedBit[] {
  const rc = (mxcsr >> 13) & 3;
  return [
    ...EXCEPTIONS.map(([letter, what], n) => bit(mxcsr, n, `${letter}E`, `${what} exception flag`)),
    bit(mxcsr, 6, 'DAZ', 'denormals are zeros (denormal inputs read as 0)'),
    ...EXCEPTIONS.map(([letter, what], n) => bit(mxcsr, 7 + n, `${letter}M`, `${what} masked`)),
    field('RC', ROUNDING[rc], ROUNDING_TITLES[rc]),
    bit(mxcsr, 15, 'FZ', 'flush to zero (tiny results become 0)'),
  ];
}

/** The names of what is set, fields included: a one-line summary. */
export const setNames = (bits: NamedBit[]): string => bits.filter((b) => b.on).map((b) => b.text).join(' ') || '(none)';

const TAG_CODES = { valid: 0, zero: 1, special: 2, empty: 3 } as const;
export type TagName = keyof typeof TAG_CODES;

/** The tag of physical register Ri: empty unless the abridged tag marks it, else what its contents are. */
export function physicalTag(abridged: number, physical: number, contents: bigint): TagName {
  if (((abridged >> physical) & 1) === 0) return 'empty';
  return decodeExtended(contents).tag;
}

/**
 * The full 16-bit tag word FSTENV stores, two bits per physical register, from the abridged tag
 * FXSAVE stores and the registers' contents (`stack` in st(0)..st(7) order, TOP from the FSW).
 */
export function fullTagWord(abridged: number, top: number, stack: bigint[]): number {
  let word = 0;
  for (let r = 0; r < 8; r++) word |= TAG_CODES[physicalTag(abridged, r, stack[(r - top + 8) & 7])] << (r * 2);
  return word;
}

const COMPONENTS = ['x87', 'SSE', 'AVX'];

/** The state components of an XCR0, XINUSE or XSTATE_BV value; bit 63 of XCOMP_BV marks the compacted form. */
export function components(value: bigint): string {
  const names = COMPONENTS.filter((_, i) => (value >> BigInt(i)) & 1n);
  const others = value & ~((1n << 63n) | 7n);
  if (others) names.push(`other bits 0x${others.toString(16)}`);
  if ((value >> 63n) & 1n) names.push('compacted');
  return names.join(' ') || '(none)';
}

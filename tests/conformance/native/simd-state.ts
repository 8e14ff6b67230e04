/** The SIMD state of a case as named fields, read from the XSAVE image both sides produce. */
import { SIMD_IMAGE_SIZE, type SimdState } from './types.ts';

const hexOf = (bytes: Uint8Array, from: number, length: number): string => Buffer.from(bytes.subarray(from, from + length)).toString('hex');

export const SIMD_FIELDS: readonly string[] = [
  'fcw',
  'fsw',
  'ftw',
  'mxcsr',
  ...Array.from({ length: 8 }, (_, i) => `st${i}`),
  ...Array.from({ length: 16 }, (_, i) => `xmm${i}`),
  ...Array.from({ length: 16 }, (_, i) => `ymmh${i}`),
];

const SIMD_FIELD_SET = new Set(SIMD_FIELDS);
export const isSimdField = (name: string): boolean => SIMD_FIELD_SET.has(name);

/** Named fields of an XSAVE standard image (hex of SIMD_IMAGE_SIZE bytes). */
export function simdFields(image: string): SimdState {
  if (image.length !== SIMD_IMAGE_SIZE * 2) throw new Error(`a SIMD image is ${SIMD_IMAGE_SIZE} bytes, got ${image.length / 2}`);
  const b = Buffer.from(image, 'hex');
  const out: SimdState = { fcw: hexOf(b, 0, 2), fsw: hexOf(b, 2, 2), ftw: hexOf(b, 4, 1), mxcsr: hexOf(b, 24, 4) };
  for (let i = 0; i < 8; i++) out[`st${i}`] = hexOf(b, 32 + 16 * i, 10);
  for (let i = 0; i < 16; i++) out[`xmm${i}`] = hexOf(b, 160 + 16 * i, 16);
  for (let i = 0; i < 16; i++) out[`ymmh${i}`] = hexOf(b, 576 + 16 * i, 16);
  return out;
}

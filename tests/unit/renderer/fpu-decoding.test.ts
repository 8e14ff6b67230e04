import { describe, expect, it } from 'vitest';
import { DOUBLE, SINGLE, toExtended } from '../../../emulator/cpu/float80.ts';
import { binaryToDecimal, decodeExtended, type ExtendedKind, type ExtendedTag } from '../../../renderer/src/lib/debugger/extended.ts';
import { components, decodeFcw, decodeFsw, decodeMxcsr, fullTagWord, setNames } from '../../../renderer/src/lib/debugger/fpu-control.ts';
import { floatText, lanes, vectorHex } from '../../../renderer/src/lib/debugger/simd-lanes.ts';

const ext = (se: number, mant: bigint) => (BigInt(se) << 64n) | mant;

/** A deterministic stream of 64-bit patterns (xorshift64*). */
function* patterns(count: number): Generator<bigint> {
  let x = 0x9e3779b97f4a7c15n;
  for (let i = 0; i < count; i++) {
    x ^= x >> 12n;
    x ^= (x << 25n) & 0xffffffffffffffffn;
    x ^= x >> 27n;
    yield (x * 0x2545f4914f6cdd1dn) & 0xffffffffffffffffn;
  }
}

const doubleOf = (bits: bigint) => {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, bits);
  return view.getFloat64(0);
};

describe('80-bit extended to decimal', () => {
  // Values from the C library's <float.h> (LDBL_MAX, LDBL_MIN, LDBL_TRUE_MIN) and the x87's FLDPI constant, to 21 digits.
  it.each<[string, bigint, string, ExtendedKind, ExtendedTag]>([
    ['one', ext(0x3fff, 0x8000000000000000n), '1', 'normal', 'valid'],
    ['minus two and a half', ext(0xc000, 0xa000000000000000n), '-2.5', 'normal', 'valid'],
    ['FLDPI', ext(0x4000, 0xc90fdaa22168c235n), '3.14159265358979323851', 'normal', 'valid'],
    ['0.1 loaded from a double', ext(0x3ffb, 0xccccccccccccd000n), '0.100000000000000005551', 'normal', 'valid'],
    ['2^-20, written out', ext(0x3feb, 0x8000000000000000n), '9.5367431640625e-7', 'normal', 'valid'],
    ['2^64', ext(0x403f, 0x8000000000000000n), '18446744073709551616', 'normal', 'valid'],
    ['2^70 goes scientific', ext(0x4045, 0x8000000000000000n), '1.18059162071741130342e+21', 'normal', 'valid'],
    ['the largest normal (LDBL_MAX)', ext(0x7ffe, 0xffffffffffffffffn), '1.18973149535723176502e+4932', 'normal', 'valid'],
    ['the smallest normal (LDBL_MIN)', ext(0x0001, 0x8000000000000000n), '3.36210314311209350626e-4932', 'normal', 'valid'],
    ['the smallest denormal (LDBL_TRUE_MIN)', ext(0x0000, 1n), '3.64519953188247460253e-4951', 'denormal', 'special'],
    ['the largest denormal', ext(0x0000, 0x7fffffffffffffffn), '3.3621031431120935059e-4932', 'denormal', 'special'],
    ['a negative denormal', ext(0x8000, 1n), '-3.64519953188247460253e-4951', 'denormal', 'special'],
    ['a pseudo-denormal reads as the smallest normal', ext(0x0000, 0x8000000000000000n), '3.36210314311209350626e-4932', 'pseudo-denormal', 'special'],
    ['zero', 0n, '0', 'zero', 'zero'],
    ['minus zero', ext(0x8000, 0n), '-0', 'zero', 'zero'],
    ['+infinity', ext(0x7fff, 0x8000000000000000n), 'inf', 'infinity', 'special'],
    ['-infinity', ext(0xffff, 0x8000000000000000n), '-inf', 'infinity', 'special'],
    ['a quiet NaN', ext(0x7fff, 0xc000000000000001n), 'QNaN', 'qnan', 'special'],
    ['the positive QNaN with no payload', ext(0x7fff, 0xc000000000000000n), 'QNaN', 'qnan', 'special'],
    ['real indefinite', ext(0xffff, 0xc000000000000000n), '-QNaN (real indefinite)', 'indefinite', 'special'],
    ['a signalling NaN', ext(0x7fff, 0x8000000000000001n), 'SNaN', 'snan', 'special'],
    ['a pseudo-NaN', ext(0x7fff, 0x4000000000000000n), 'pseudo-NaN (unsupported)', 'pseudo-nan', 'special'],
    ['a pseudo-infinity', ext(0xffff, 0n), '-pseudo-infinity (unsupported)', 'pseudo-infinity', 'special'],
    ['an unnormal', ext(0x3fff, 0x4000000000000000n), 'unnormal (unsupported)', 'unnormal', 'special'],
  ])('%s', (_name, bits, text, kind, tag) => {
    expect(decodeExtended(bits)).toMatchObject({ text, kind, tag });
  });

  it('reads back every normal double and float the FPU loads, at 17 and 9 digits (the emulator’s conversion is the oracle)', () => {
    let checked = 0;
    for (const bits of patterns(3000)) {
      const d = doubleOf(bits);
      if (!Number.isFinite(d) || ((bits >> 52n) & 0x7ffn) === 0n) continue;
      const { value } = toExtended(bits, DOUBLE);
      const decoded = decodeExtended(ext(value.se, value.mant), 17);
      expect(Number(decoded.text), `${bits.toString(16)} → ${decoded.text}`).toBe(d);
      checked++;
    }
    for (const d of [Number.MAX_VALUE, 2.2250738585072014e-308, 1e-7, 123456789.125, 1e21, -0.3]) {
      const view = new DataView(new ArrayBuffer(8));
      view.setFloat64(0, d);
      const { value } = toExtended(view.getBigUint64(0), DOUBLE);
      expect(Number(decodeExtended(ext(value.se, value.mant), 17).text)).toBe(d);
    }
    const { value } = toExtended(0x3dcccccdn, SINGLE);
    expect(decodeExtended(ext(value.se, value.mant), 9).text).toBe('0.100000001');
    expect(checked).toBeGreaterThan(2500);
  });

  it('reads back denormal doubles, normalized into the extended range', () => {
    // A denormal double f × 2^-1074 is a normal extended number: the significand shifted up to bit 63.
    for (const fraction of [1n, 2n, 3n, 0xfffffffffffffn, 0x8000000000000n, 0x123456789abcn]) {
      const length = fraction.toString(2).length;
      const bits = ext(16383 + length - 1 - 1074, fraction << BigInt(64 - length));
      expect(Number(decodeExtended(bits, 17).text)).toBe(doubleOf(fraction));
    }
    expect(decodeExtended(ext(16383 - 1074, 1n << 63n)).text).toBe('4.94065645841246544177e-324');
  });

  it.each<[bigint, number, number, string]>([
    [25n, 0, 1, '20'],
    [35n, 0, 1, '40'],
    [251n, 0, 2, '250'],
    [999n, 0, 2, '1000'],
    [1n, -1, 5, '0.5'],
    [3n, -30, 3, '2.79e-9'],
    [1n, 70, 21, '1.18059162071741130342e+21'],
  ])('%i × 2^%i to %i digits is %s (ties to even, carries)', (significand, power, digits, text) => {
    expect(binaryToDecimal(significand, power, digits)).toBe(text);
  });
});

describe('vector lanes', () => {
  const fromBytes = (bytes: Uint8Array) => bytes.reduceRight((v, b) => (v << 8n) | BigInt(b), 0n);

  it('reads floats and doubles lane 0 first, as the memory holds them', () => {
    const floats = new Float32Array([1, -0.1, 3.4e38, 1e-45]);
    expect(lanes(fromBytes(new Uint8Array(floats.buffer)), 16, 'f32').map((t) => Math.fround(Number(t)))).toEqual([...floats]);
    expect(lanes(fromBytes(new Uint8Array(floats.buffer)), 16, 'f32')).toEqual(['1', '-0.1', '3.4e+38', '1e-45']);
    const doubles = new Float64Array([Math.PI, -1e300, 5e-324, 0.1]);
    expect(lanes(fromBytes(new Uint8Array(doubles.buffer)), 32, 'f64').map(Number)).toEqual([...doubles]);
  });

  it('reads integers signed and unsigned at every width', () => {
    const bytes = Uint8Array.from({ length: 16 }, (_, i) => (i === 0 ? 0xff : i));
    const value = fromBytes(bytes);
    expect(lanes(value, 16, 'u8')).toEqual([...bytes].map(String));
    expect(lanes(value, 16, 'i8')[0]).toBe('-1');
    const words = new Uint16Array(bytes.buffer);
    expect(lanes(value, 16, 'u16')).toEqual([...words].map(String));
    expect(lanes(value, 16, 'i16')).toEqual([...new Int16Array(bytes.buffer)].map(String));
    expect(lanes(value, 16, 'u32')).toEqual([...new Uint32Array(bytes.buffer)].map(String));
    expect(lanes(value, 16, 'i64')).toEqual([...new BigInt64Array(bytes.buffer)].map(String));
    expect(lanes(value, 16, 'x64')).toEqual([...new BigUint64Array(bytes.buffer)].map((q) => q.toString(16).padStart(16, '0')));
    expect(lanes(value, 32, 'u64')).toHaveLength(4);
    expect(lanes(value, 32, 'f32')).toHaveLength(8);
  });

  it.each<[bigint, 32 | 64, string]>([
    [0x7fc00000n, 32, 'QNaN'],
    [0x7f800001n, 32, 'SNaN'],
    [0xffc00000n, 32, '-QNaN'],
    [0xff800000n, 32, '-inf'],
    [0x80000000n, 32, '-0'],
    [0x7ff8000000000000n, 64, 'QNaN'],
    [0x7ff0000000000001n, 64, 'SNaN'],
    [0x7ff0000000000000n, 64, 'inf'],
    [0x3ff0000000000000n, 64, '1'],
  ])('float bits %s (%i-bit) read as %s', (bits, width, text) => {
    expect(floatText(bits, width)).toBe(text);
  });

  it('writes 128 and 256 bits in hex by qword, most significant first', () => {
    expect(vectorHex(0x0123456789abcdef_fedcba9876543210n, 16)).toBe('0x0123456789abcdef_fedcba9876543210');
    expect(vectorHex(1n, 32)).toBe(`0x${'0'.repeat(16)}_${'0'.repeat(16)}_${'0'.repeat(16)}_${'0'.repeat(15)}1`);
  });
});

describe('control and status words', () => {
  it.each<[string, (v: number) => ReturnType<typeof decodeFcw>, number, string]>([
    ['FCW at FNINIT', decodeFcw, 0x037f, 'IM DM ZM OM UM PM PC=extended RC=nearest'],
    ['FCW, double precision, rounding up, divide-by-zero unmasked', decodeFcw, 0x0a7b, 'IM DM OM UM PM PC=double RC=up'],
    ['FSW with TOP 7 and C1', decodeFsw, 0x3a00, 'C1 TOP=7'],
    ['FSW with an unmasked invalid pending', decodeFsw, 0x8081, 'IE ES TOP=0 B'],
    ['FSW with C0 C2 C3 and a stack fault', decodeFsw, 0x4541, 'IE SF C0 C2 C3 TOP=0'],
    ['MXCSR at reset', decodeMxcsr, 0x1f80, 'IM DM ZM OM UM PM RC=nearest'],
    ['MXCSR with FTZ, DAZ, toward zero, PE raised', decodeMxcsr, 0xffe0, 'PE DAZ IM DM ZM OM UM PM RC=toward zero FZ'],
  ])('%s', (_name, decode, value, names) => {
    expect(setNames(decode(value))).toBe(names);
  });

  it('builds the full tag word from the abridged one and the contents', () => {
    const one = (BigInt(0x3fff) << 64n) | 0x8000000000000000n;
    const inf = (BigInt(0x7fff) << 64n) | 0x8000000000000000n;
    // After FLD1 with TOP 7: only R7 is in use and valid.
    expect(fullTagWord(0x80, 7, [one, 0n, 0n, 0n, 0n, 0n, 0n, 0n])).toBe(0x3fff);
    // TOP 6: st(0) = R6 holds infinity (special), st(1) = R7 zero (zero).
    expect(fullTagWord(0xc0, 6, [inf, 0n, 0n, 0n, 0n, 0n, 0n, 0n])).toBe(0x6fff);
    expect(fullTagWord(0, 0, Array(8).fill(0n))).toBe(0xffff);
  });

  it('names state components', () => {
    expect(components(7n)).toBe('x87 SSE AVX');
    expect(components(3n)).toBe('x87 SSE');
    expect(components(0n)).toBe('(none)');
    expect(components((1n << 63n) | 4n)).toBe('AVX compacted');
  });
});

/**
 * SIMD case helpers: x87/SSE/AVX forms by iced-x86 Code name, the initial XSAVE image a case
 * carries, and edge-weighted lane values (floats where rounding, NaNs and denormals differ).
 */
import { Code, Instruction, OpCodeOperandKind } from 'iced-x86';
import { SIMD_IMAGE_SIZE } from '../types.ts';
import type { CaseBuilder } from './builder.ts';
import type { Form, OperandSpec } from './iced.ts';
import type { Random } from './random.ts';

const cache = new Map<string, Form>();

/** A form for any 64-bit encoding (SSE, VEX, x87): operands are given as registers or memory by the family. */
export function simdForm(name: string): Form {
  let f = cache.get(name);
  if (f) return f;
  const code = (Code as unknown as Record<string, number>)[name];
  if (typeof code !== 'number') throw new Error(`iced-x86 has no form named ${name}`);
  const instr = Instruction.create(code);
  const info = instr.opCode;
  const operands: OperandSpec[] = [];
  for (let i = 0; i < info.opCount; i++) operands.push({ kind: OpCodeOperandKind[info.opKind(i)].includes('mem') ? 'rm' : 'reg', bits: 0 });
  f = { name, code, mnemonic: info.instructionString.split(' ')[0], operands };
  info.free();
  instr.free();
  cache.set(name, f);
  return f;
}

export const forms = (names: string[]): Form[] => names.map(simdForm);

/** 32-bit lanes that matter to float arithmetic: zeros, denormals, extremes, infinities, NaNs, ones. */
const F32 = [0x00000000, 0x80000000, 0x00000001, 0x807fffff, 0x00800000, 0x80800000, 0x7f7fffff, 0xff7fffff, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc00001, 0x7f800001, 0xffbfffff, 0x3f800000, 0xbf800000, 0x33800000, 0x4b000000, 0x3effffff, 0x00400000];
const F64 = [
  0x0000000000000000n, 0x8000000000000000n, 0x0000000000000001n, 0x800fffffffffffffn, 0x0010000000000000n, 0x8010000000000000n, 0x7fefffffffffffffn, 0xffefffffffffffffn,
  0x7ff0000000000000n, 0xfff0000000000000n, 0x7ff8000000000000n, 0xfff8000000000001n, 0x7ff0000000000001n, 0xfff7ffffffffffffn, 0x3ff0000000000000n, 0xbff0000000000000n,
  0x3ca0000000000000n, 0x4330000000000000n, 0x3fefffffffffffffn, 0x0008000000000000n,
];

export function f32Lane(rng: Random): number {
  const roll = rng.int(10);
  if (roll < 4) return rng.pick(F32);
  if (roll < 6) return (rng.pick(F32) + rng.range(-2, 2)) >>> 0;
  // Exponents near each other make additions round, cancel and carry.
  if (roll < 9) return ((rng.u32() & 0x807fffff) | ((rng.range(100, 154) << 23) >>> 0)) >>> 0;
  return rng.u32();
}

export function f64Lane(rng: Random): bigint {
  const roll = rng.int(10);
  if (roll < 4) return rng.pick(F64);
  if (roll < 6) return (rng.pick(F64) + BigInt(rng.range(-2, 2))) & 0xffffffffffffffffn;
  if (roll < 9) return (rng.u64() & 0x800fffffffffffffn) | (BigInt(rng.range(990, 1060)) << 52n);
  return rng.u64();
}

/** 80-bit extended values: normals, denormals, zeros, infinities, NaNs and the unsupported encodings (unnormals, pseudo-NaNs). */
export function ext80(rng: Random): Uint8Array {
  const out = new Uint8Array(10);
  const sign = rng.chance(0.5) ? 0x8000 : 0;
  let exp: number;
  let mant = rng.u64();
  switch (rng.int(10)) {
    case 0:
      exp = 0;
      mant = rng.chance(0.3) ? 0n : mant & 0x7fffffffffffffffn;
      break;
    case 1:
      exp = 0x7fff;
      mant = rng.pick([0x8000000000000000n, 0xc000000000000000n, mant | 0x8000000000000000n, mant & 0x7fffffffffffffffn]);
      break;
    case 2:
      exp = rng.int(0x8000);
      mant &= 0x7fffffffffffffffn;
      break;
    case 3:
      exp = rng.pick([1, 0x7ffe, 0x3fff, 0x3c00, 0x43fe, 0x3f80, 0x407e]) + rng.range(-1, 1);
      mant |= 0x8000000000000000n;
      break;
    default:
      exp = rng.range(0x3f00, 0x40ff);
      mant |= 0x8000000000000000n;
  }
  for (let i = 0; i < 8; i++) out[i] = Number((mant >> BigInt(8 * i)) & 0xffn);
  out[8] = exp & 0xff;
  out[9] = ((exp >> 8) | (sign >> 8)) & 0xff;
  return out;
}

/** A 16-byte XMM value, lane-wise edge-weighted as integers or floats. */
export function xmmValue(rng: Random): Uint8Array {
  const out = new Uint8Array(16);
  const v = new DataView(out.buffer);
  const kind = rng.int(5);
  for (let k = 0; k < 4; k++) {
    if (kind === 0) v.setUint32(k * 4, f32Lane(rng), true);
    else if (kind === 1 && k % 2 === 0) v.setBigUint64(k * 4, f64Lane(rng), true);
    else if (kind === 1) continue;
    else if (kind === 2) v.setUint32(k * 4, rng.pick([0, 0xffffffff, 0x80808080, 0x7f7f7f7f, 0x80008000, 0x7fff7fff, 0x80000000, 0x7fffffff, 1, 0x01010101]) ^ (rng.chance(0.3) ? rng.int(4) : 0), true);
    else v.setUint32(k * 4, rng.u32(), true);
  }
  return out;
}

/** The initial x87/SSE/AVX state of a case, in the XSAVE standard layout the harness restores. */
export class SimdImage {
  readonly bytes = new Uint8Array(SIMD_IMAGE_SIZE);
  readonly view = new DataView(this.bytes.buffer);

  constructor(rng: Random, options: { x87?: boolean; ymm?: boolean } = {}) {
    for (let r = 0; r < 16; r++) {
      this.bytes.set(xmmValue(rng), 160 + 16 * r);
      if (options.ymm) this.bytes.set(xmmValue(rng), 576 + 16 * r);
    }
    this.mxcsr = 0x1f80;
    this.fcw = 0x37f;
    // Every physical register holds a value, tagged or not: FXSAVE shows them either way.
    for (let i = 0; i < 8; i++) this.bytes.set(ext80(rng), 32 + 16 * i);
    if (options.x87) {
      this.fsw = rng.int(8) << 11;
      this.ftw = rng.int(256);
    } else this.ftw = rng.chance(0.5) ? 0 : rng.int(256);
  }

  get mxcsr(): number {
    return this.view.getUint32(24, true);
  }
  set mxcsr(v: number) {
    this.view.setUint32(24, v >>> 0, true);
    this.view.setUint32(28, 0xffff, true);
  }
  get fcw(): number {
    return this.view.getUint16(0, true);
  }
  set fcw(v: number) {
    this.view.setUint16(0, v, true);
  }
  get fsw(): number {
    return this.view.getUint16(2, true);
  }
  set fsw(v: number) {
    this.view.setUint16(2, v, true);
  }
  get ftw(): number {
    return this.bytes[4];
  }
  set ftw(v: number) {
    this.bytes[4] = v;
  }

  xmm(r: number): Uint8Array {
    return this.bytes.subarray(160 + 16 * r, 176 + 16 * r);
  }

  hex(): string {
    return Buffer.from(this.bytes).toString('hex');
  }
}

/** Gives a case SIMD state (and the features it needs); returns the image for the family to adjust. */
export function withSimd(b: CaseBuilder, options: { x87?: boolean; ymm?: boolean; requires?: string[] } = {}): SimdImage {
  const image = new SimdImage(b.rng, options);
  b.simd = image;
  for (const f of options.requires ?? []) b.requires.add(f);
  return image;
}

export const xmmName = (r: number): string => `XMM${r}`;
export const ymmName = (r: number): string => `YMM${r}`;

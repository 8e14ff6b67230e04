/** SSE/SSE2 and VEX moves and arithmetic on XMM/YMM state: values, MXCSR effects and alignment faults. */
import type { Operand } from '../iced.ts';
import type { CaseBuilder } from '../builder.ts';
import { byForms, lazy, type Family } from '../family.ts';
import { f32Lane, f64Lane, forms, withSimd, xmmValue, type SimdImage } from '../simd.ts';

/** Operand shapes from the form name's tokens: `xmm`, `xmmm128`, `rm64`, `ymmm256`, ... */
const tokensOf = (name: string): string[] => name.split('_').slice(name.startsWith('VEX_') ? 2 : 1);
const memBytes = (token: string): number => Number(/(\d+)$/.exec(token)?.[1] ?? '0') / 8;

/** Aligned forms (#GP(0) when misaligned, SDM Vol. 2 MOVAPS/MOVDQA and the legacy m128 rule). */
const needsAlignment = (name: string, bytes: number): boolean => /^(Movaps|Movdqa|VEX_Vmovaps)_/.test(name) || (bytes === 16 && /^(Pxor|Xorps|Padd[bwdq]|Addps)_/.test(name));

/** A memory operand of `bytes`, aligned to its size when `align`, misaligned (to fault) now and then. */
function simdMem(b: CaseBuilder, bytes: number, align: boolean, fill: (b: CaseBuilder, at: number, bytes: number) => void): Operand {
  let offset = b.randomOffset(bytes, align ? bytes : 1);
  if (align && b.rng.chance(0.1)) offset = Math.min(offset + b.rng.range(1, bytes - 1), b.data.length - bytes);
  fill(b, offset, bytes);
  return b.mem(bytes, { offset, keepData: true });
}

function fillLanes(b: CaseBuilder, at: number, bytes: number): void {
  for (let k = 0; k < bytes; k += 16) b.data.set(xmmValue(b.rng).subarray(0, Math.min(16, bytes - k)), at + k);
}

/** Register or memory operands for a form, following its name's tokens. */
export function simdOperands(b: CaseBuilder, name: string, fill = /^Add[ps][sd]_/.test(name) ? floatFill(name) : fillLanes): Operand[] {
  return tokensOf(name).map((t): Operand => {
    const bytes = memBytes(t);
    if (t === 'xmm' || t === 'ymm') return { kind: 'reg', reg: `${t.toUpperCase()}${b.rng.int(16)}` };
    if ((t.startsWith('xmmm') || t.startsWith('ymmm')) && b.rng.chance(0.5)) return { kind: 'reg', reg: `${t.slice(0, 3).toUpperCase()}${b.rng.int(16)}` };
    if (t.startsWith('rm') && b.rng.chance(0.5)) return { kind: 'reg', reg: b.pickReg(bytes * 8) };
    return simdMem(b, bytes, needsAlignment(name, bytes), fill);
  });
}

function simdFamily(name: string, count: number, names: string[], options: { ymm?: boolean; requires?: string[]; prepare?: (b: CaseBuilder, image: SimdImage, form: string) => void } = {}): Family {
  return {
    name,
    count,
    dataLength: 256,
    ...byForms,
    forms: lazy(() => forms(names)),
    build(b, i) {
      const f = this.forms()[i % this.forms().length];
      const image = withSimd(b, { ymm: options.ymm || b.rng.chance(0.3), requires: options.requires });
      options.prepare?.(b, image, f.name);
      b.emit(f, simdOperands(b, f.name));
    },
  };
}

const both = (n: string) => [`${n}_xmm_xmmm128`, `${n}_xmmm128_xmm`];

export const sseMove = simdFamily('sse-move', 16000, [
  ...both('Movaps'), ...both('Movups'), ...both('Movdqa'), ...both('Movdqu'),
  'Movq_xmm_rm64', 'Movq_rm64_xmm', 'Movq_xmm_xmmm64', 'Movq_xmmm64_xmm', 'Movd_xmm_rm32', 'Movd_rm32_xmm',
  'Movss_xmm_xmmm32', 'Movss_xmmm32_xmm', 'Movsd_xmm_xmmm64', 'Movsd_xmmm64_xmm',
]);

export const sseInt = simdFamily('sse-int', 9000, ['Pxor', 'Xorps', 'Paddb', 'Paddw', 'Paddd', 'Paddq'].map((n) => `${n}_xmm_xmmm128`));

export const avxMove = simdFamily('avx-move', 6000, ['Vmovdqu', 'Vmovaps'].flatMap((n) => [`VEX_${n}_xmm_xmmm128`, `VEX_${n}_xmmm128_xmm`, `VEX_${n}_ymm_ymmm256`, `VEX_${n}_ymmm256_ymm`]), {
  ymm: true,
  requires: ['avx'],
});

/** MXCSR for float cases: any rounding, DAZ and FTZ; mostly masked, sometimes unmasked (#XM) or with sticky flags. */
export function randomMxcsr(b: CaseBuilder): number {
  let v = (b.rng.int(4) << 13) | (b.rng.chance(0.3) ? 0x40 : 0) | (b.rng.chance(0.3) ? 0x8000 : 0);
  v |= b.rng.chance(0.7) ? 0x1f80 : (b.rng.int(64) << 7);
  if (b.rng.chance(0.2)) v |= b.rng.int(64);
  return v;
}

function floatBytes(form: string, rng: CaseBuilder['rng'], out: Uint8Array, at: number, bytes: number): void {
  const v = new DataView(out.buffer, out.byteOffset);
  if (form.startsWith('Addsd')) for (let k = 0; k < bytes; k += 8) v.setBigUint64(at + k, f64Lane(rng), true);
  else for (let k = 0; k < bytes; k += 4) v.setUint32(at + k, f32Lane(rng), true);
}

function floatFill(form: string): (b: CaseBuilder, at: number, bytes: number) => void {
  return (b, at, bytes) => floatBytes(form, b.rng, b.data, at, bytes);
}

export const sseFloat = simdFamily('sse-float', 10000, ['Addps_xmm_xmmm128', 'Addsd_xmm_xmmm64'], {
  prepare(b, image, form) {
    image.mxcsr = randomMxcsr(b);
    for (let r = 0; r < 16; r++) floatBytes(form, b.rng, image.bytes, 160 + 16 * r, 16);
  },
});

export const mxcsr: Family = {
  name: 'mxcsr',
  count: 3000,
  dataLength: 128,
  ...byForms,
  forms: lazy(() => forms(['Ldmxcsr_m32', 'Stmxcsr_m32'])),
  build(b, i) {
    const f = this.forms()[i % this.forms().length];
    const image = withSimd(b);
    image.mxcsr = randomMxcsr(b);
    const offset = b.randomOffset(4, b.rng.chance(0.9) ? 4 : 1);
    // Reserved bits (31:16, MXCSR_MASK 0xFFFF) in an LDMXCSR operand are #GP(0).
    const value = randomMxcsr(b) | (b.rng.chance(0.1) ? (1 << b.rng.range(16, 31)) >>> 0 : 0);
    b.poke(offset, 4, BigInt(value >>> 0));
    b.emit(f, [b.mem(4, { offset, keepData: true })]);
  },
};

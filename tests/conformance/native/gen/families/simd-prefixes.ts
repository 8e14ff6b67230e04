/**
 * Prefixes around SIMD encodings, the decoder's part of the ISA: LOCK (#UD), a legacy or REX
 * prefix before VEX (#UD), VEX.vvvv other than 1111b on the moves (#UD), and mandatory prefixes
 * stacked (the last of F2/F3 wins, and either beats 66).
 */
import type { CaseBuilder } from '../builder.ts';
import type { Encoded } from '../iced.ts';
import { encode } from '../iced.ts';
import { lazy, type Family } from '../family.ts';
import { simdForm, withSimd } from '../simd.ts';
import { simdOperands } from './sse.ts';

const LEGACY = [
  'Movdqa_xmm_xmmm128', 'Movdqa_xmmm128_xmm', 'Movdqu_xmm_xmmm128', 'Movdqu_xmmm128_xmm', 'Movq_xmm_xmmm64', 'Movq_xmmm64_xmm',
  'Movss_xmm_xmmm32', 'Movss_xmmm32_xmm', 'Movsd_xmm_xmmm64', 'Movsd_xmmm64_xmm', 'Pxor_xmm_xmmm128', 'Paddb_xmm_xmmm128', 'Paddq_xmm_xmmm128', 'Addsd_xmm_xmmm64',
  'Movaps_xmm_xmmm128', 'Movups_xmmm128_xmm', 'Xorps_xmm_xmmm128', 'Addps_xmm_xmmm128',
];
const VEX = ['VEX_Vmovdqu_xmm_xmmm128', 'VEX_Vmovdqu_ymmm256_ymm', 'VEX_Vmovaps_ymm_ymmm256', 'VEX_Vmovaps_xmmm128_xmm'];
const KINDS = ['lock', 'before-vex', 'vvvv', 'mandatory'] as const;

const isPrefix = (x: number): boolean => [0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x66, 0x67, 0xf0, 0xf2, 0xf3].includes(x);

/** Index of the VEX escape byte (C4/C5) after any legacy prefixes. */
function vexAt(bytes: Uint8Array): number {
  let k = 0;
  while (isPrefix(bytes[k])) k++;
  return k;
}

function patched(e: Encoded, bytes: Uint8Array, what: string): Encoded {
  return { ...e, bytes, text: `${what} ${e.text}` };
}

const hexByte = (x: number): string => x.toString(16).padStart(2, '0');

export const simdPrefixes: Family = {
  name: 'simd-prefix',
  count: 3000,
  dataLength: 256,
  forms: lazy(() => [...LEGACY, ...VEX].map(simdForm)),
  mnemonics: () => [],
  period: () => KINDS.length * 2 * LEGACY.length,
  build(b: CaseBuilder, i: number) {
    const kind = KINDS[i % KINDS.length];
    const k = Math.floor(i / KINDS.length);
    // LOCK goes on legacy and VEX forms in turn.
    const vex = kind === 'before-vex' || kind === 'vvvv' || (kind === 'lock' && k % 2 === 1);
    // No-prefix forms would become the PD forms, and F2/F3 on 66 0F D6 the MMX MOVDQ2Q/MOVQ2DQ: not this set.
    const names = vex ? VEX : kind === 'mandatory' ? LEGACY.filter((n) => !/^(Movaps|Movups|Xorps|Addps)_|^Movq_xmmm64_xmm$/.test(n)) : LEGACY;
    const name = names[(kind === 'lock' ? k >> 1 : k) % names.length];
    withSimd(b, { ymm: true, requires: vex ? ['avx'] : [] });
    const f = simdForm(name);
    const e = encode(f, simdOperands(b, name), b.rip);
    let bytes: Uint8Array;
    let what: string;
    if (kind === 'lock') {
      bytes = Uint8Array.of(0xf0, ...e.bytes);
      what = 'lock';
    } else if (kind === 'before-vex') {
      const p = b.rng.pick([0x66, 0xf2, 0xf3, 0x40 + b.rng.int(16)]);
      bytes = Uint8Array.of(p, ...e.bytes);
      what = `prefix ${hexByte(p)} before VEX:`;
    } else if (kind === 'vvvv') {
      bytes = Uint8Array.from(e.bytes);
      const at = vexAt(bytes) + (bytes[vexAt(bytes)] === 0xc5 ? 1 : 2);
      const v = 1 + b.rng.int(15);
      // vvvv is stored inverted in bits 6:3: anything but 1111b names a register the move does not have.
      bytes[at] = (bytes[at] & 0x87) | ((~v & 0xf) << 3);
      what = `VEX.vvvv=${v.toString(2).padStart(4, '0')}:`;
    } else {
      const p = b.rng.pick([0x66, 0xf2, 0xf3]);
      bytes = Uint8Array.of(p, ...e.bytes);
      what = `prefix ${hexByte(p)} before`;
    }
    b.emitEncoded(patched(e, bytes, what));
  },
};

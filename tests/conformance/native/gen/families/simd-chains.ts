/**
 * Short runs of SIMD instructions whose state flows from one to the next: VEX.128 zeroing then
 * legacy SSE, LDMXCSR before ADDPS, FLD/FSTP through the stack with FNSTSW after, and
 * FXSAVE/XSAVE, a clobber, then the matching restore.
 */
import type { CaseBuilder } from '../builder.ts';
import type { Form } from '../iced.ts';
import { lazy, type Family } from '../family.ts';
import { forms, simdForm, withSimd } from '../simd.ts';
import { avxMove, mxcsr, randomMxcsr, simdOperands, sseFloat, sseInt, sseMove } from './sse.ts';
import { randomFcw, X87_FORMS, x87Operands } from './x87.ts';

const pool = lazy(() => [...sseMove.forms(), ...sseInt.forms(), ...sseFloat.forms(), ...avxMove.forms(), ...mxcsr.forms(), ...forms(X87_FORMS)]);

function emitOne(b: CaseBuilder, f: Form): void {
  if (X87_FORMS.includes(f.name)) return void b.emit(f, x87Operands(b, f.name));
  if (f.name === 'Ldmxcsr_m32' || f.name === 'Stmxcsr_m32') {
    const offset = b.randomOffset(4, 4);
    b.poke(offset, 4, BigInt(randomMxcsr(b)));
    return void b.emit(f, [b.mem(4, { offset, keepData: true })]);
  }
  b.emit(f, simdOperands(b, f.name));
}

const SAVE_PAIRS: [string, string][] = [
  ['Fxsave_m512byte', 'Fxrstor_m512byte'],
  ['Fxsave64_m512byte', 'Fxrstor64_m512byte'],
  ['Xsave64_mem', 'Xrstor64_mem'],
  ['Xsavec64_mem', 'Xrstor64_mem'],
];

/** Save to an aligned area, change registers, restore: the state must come back exactly. */
function roundTrip(b: CaseBuilder, k: number): void {
  const [save, restore] = SAVE_PAIRS[k % SAVE_PAIRS.length];
  b.requires.add(save.startsWith('Fx') ? 'fxsr' : save.startsWith('Xsavec') ? 'xsavec' : 'xsave');
  b.reserve(0, 2);
  b.regs[0] = 7n;
  b.regs[2] = 0n;
  const at = save.startsWith('Fx') ? 16 * b.rng.int(8) : 64 * b.rng.int(3);
  const area = b.mem(save.startsWith('Fx') ? 512 : 832, { offset: at, keepData: true });
  b.emit(simdForm(save), [area]);
  // FOP/FIP/FDP and the reserved bytes are the implementation's (see the xsave family).
  b.ignoreData.push([at + 5, 19]);
  for (let s = 0; s < 8; s++) b.ignoreData.push([at + 42 + 16 * s, 6]);
  b.ignoreData.push([at + 416, 48]);
  // The clobbers leave the x87 stack and EDX:EAX (the restore's RFBM) alone.
  const clobbers = pool().filter((f) => !/^F(ld|st|nst)|_rm(32|64)_xmm$/.test(f.name));
  for (let n = b.rng.range(1, 3); n > 0; n--) emitOne(b, b.rng.pick(clobbers));
  b.emit(simdForm(restore), [area]);
}

export const simdChains: Family = {
  name: 'simd-chain',
  count: 5000,
  dataLength: 1024,
  forms: () => pool(),
  mnemonics: () => [...new Set(pool().map((f) => f.mnemonic.toLowerCase()))],
  period: () => 4 * pool().length,
  build(b, i) {
    const image = withSimd(b, { x87: true, ymm: true });
    image.mxcsr = b.rng.chance(0.5) ? 0x1f80 : randomMxcsr(b);
    image.fcw = randomFcw(b);
    image.ftw = b.rng.int(256) | (1 << b.rng.int(8));
    if (i % 8 === 7) return roundTrip(b, i >> 3);
    const list = pool();
    // Every form leads some chain: the rest of the chain is drawn at random.
    const chain = [list[i % list.length], ...Array.from({ length: b.rng.range(1, 3) }, () => b.rng.pick(list))];
    for (const f of chain) {
      if (f.name.startsWith('VEX_')) b.requires.add('avx');
      emitOne(b, f);
    }
  },
};

/**
 * FXSAVE/FXRSTOR and XSAVE/XSAVEOPT/XSAVEC/XRSTOR (both widths) and XGETBV, with every component
 * of the state in use and images written byte for byte.
 *
 * Values come from a fixed pool so the saved images, which the fixture stores, compress well.
 * Every component starts non-initial (random XMM, YMM and x87 registers, a tagged x87 register),
 * so XINUSE is 1 for all three on any implementation and XSAVEOPT/XSAVEC's init optimization
 * cannot depend on how a CPU tracks it.
 */
import type { CaseBuilder } from '../builder.ts';
import { lazy, type Family } from '../family.ts';
import { Random } from '../random.ts';
import { ext80, forms, withSimd, xmmValue } from '../simd.ts';

const SAVES = ['Fxsave_m512byte', 'Fxsave64_m512byte', 'Xsave_mem', 'Xsave64_mem', 'Xsaveopt_mem', 'Xsaveopt64_mem', 'Xsavec_mem', 'Xsavec64_mem'];
const RESTORES = ['Fxrstor_m512byte', 'Fxrstor64_m512byte', 'Xrstor_mem', 'Xrstor64_mem'];
const NAMES = [...SAVES, ...RESTORES, 'Xgetbv'];

const pool = lazy(() => {
  const rng = new Random('switchyard-native-simd-pool');
  return { xmm: Array.from({ length: 48 }, () => xmmValue(rng)), st: Array.from({ length: 24 }, () => ext80(rng)) };
});

/** Components this CPU and the emulator both have: x87, SSE, AVX. EAX bits of components the host has beyond them (5-7, 17, 18) stay clear. */
const HOST_ONLY = 0x600e0;

function requirement(name: string): string {
  if (name.startsWith('Fx')) return 'fxsr';
  if (name.startsWith('Xsaveopt')) return 'xsaveopt';
  if (name.startsWith('Xsavec')) return 'xsavec';
  return 'xsave';
}

/** An image of the legacy region, header and AVX area at `at` in the data page, from the pool. */
function writeImage(b: CaseBuilder, at: number, compact: boolean): void {
  const p = pool();
  const v = new DataView(b.data.buffer, b.data.byteOffset);
  v.setUint16(at, b.rng.chance(0.5) ? 0x37f : b.rng.chance(0.8) ? 0x40 | b.rng.int(64) | (b.rng.int(16) << 8) : b.rng.int(0x10000), true);
  v.setUint16(at + 2, b.rng.int(8) << 11, true);
  b.data[at + 4] = b.rng.int(256);
  v.setUint32(at + 24, b.rng.chance(0.9) ? 0x1f80 | (b.rng.int(4) << 13) | b.rng.int(64) : (0x1f80 | (1 << b.rng.range(16, 31))) >>> 0, true);
  for (let i = 0; i < 8; i++) b.data.set(b.rng.pick(p.st), at + 32 + 16 * i);
  for (let r = 0; r < 16; r++) b.data.set(b.rng.pick(p.xmm), at + 160 + 16 * r);
  if (at + 832 <= b.data.length) for (let r = 0; r < 16; r++) b.data.set(b.rng.pick(p.xmm), at + 576 + 16 * r);
  b.data.fill(0, at + 512, at + 576);
  // XSTATE_BV mostly valid; now and then a component XCR0 does not enable (#GP).
  const bv = b.rng.chance(0.92) ? b.rng.pick([7, 7, 7, 3, 5, 6, 1, 2, 0]) : b.rng.pick([8, 0x10, 0x100, 0x107]);
  b.data[at + 512] = bv & 0xff;
  b.data[at + 513] = bv >> 8;
  if (compact) {
    const comp = b.rng.chance(0.9) ? bv | b.rng.pick([0, 7, 4]) : b.rng.pick([bv & 3, 0x8]);
    b.data[at + 520] = comp & 0xff;
    b.data[at + 527] = 0x80;
  } else if (b.rng.chance(0.05)) b.data[at + b.rng.range(520, 535)] = 1 + b.rng.int(255);
  if (b.rng.chance(0.05)) b.data[at + b.rng.range(528, 575)] = 1 + b.rng.int(255);
}

export const xsave: Family = {
  name: 'xsave',
  count: 5000,
  dataLength: 1024,
  forms: lazy(() => forms(NAMES)),
  mnemonics: () => [...new Set(forms(NAMES).map((f) => f.mnemonic.toLowerCase()))],
  period: () => NAMES.length,
  build(b, i) {
    const f = this.forms()[i % this.forms().length];
    const image = withSimd(b, { x87: true, ymm: true, requires: [requirement(f.name)] });
    const p = pool();
    for (let r = 0; r < 16; r++) {
      image.bytes.set(b.rng.pick(p.xmm), 160 + 16 * r);
      image.bytes.set(b.rng.pick(p.xmm), 576 + 16 * r);
    }
    for (let k = 0; k < 8; k++) image.bytes.set(b.rng.pick(p.st), 32 + 16 * k);
    image.ftw |= 1 << b.rng.int(8);
    if (b.rng.chance(0.5)) image.mxcsr = 0x1f80 | (b.rng.int(4) << 13) | b.rng.int(64);
    if (f.name === 'Xgetbv') {
      b.reserve(0, 1, 2);
      b.regs[1] = b.rng.chance(0.9) ? BigInt(b.rng.int(2)) : BigInt(b.rng.pick([2, 3, 0x80000000, 0xffffffff])) | (b.rng.u64() & 0xffffffff00000000n);
      if (b.regs[1] === 1n) b.requires.add('xgetbv1');
      b.emit(f);
      // Only the bits of the components both CPUs implement are compared.
      b.emit('And_rm32_imm8', [{ kind: 'reg', reg: 'EAX' }, { kind: 'imm', value: 7n }]);
      return;
    }
    const fx = f.name.startsWith('Fx');
    const align = fx ? 16 : 64;
    const size = fx ? 512 : 832;
    let at = align * b.rng.int(Math.floor((b.data.length - size) / align) + 1);
    if (b.rng.chance(0.08)) at += b.rng.chance(0.5) ? 8 : b.rng.range(1, align - 1);
    at = Math.min(at, b.data.length - size);
    b.reserve(0, 2);
    if (!fx) {
      const rfbm = b.rng.chance(0.7) ? 7 : b.rng.int(8);
      b.regs[0] = (b.rng.u64() & ~0xffffffffn) | BigInt((((b.rng.u32() & ~HOST_ONLY & ~7) >>> 0) * (b.rng.chance(0.3) ? 1 : 0) + rfbm) >>> 0);
      b.regs[2] = b.rng.chance(0.5) ? 0n : b.rng.u64();
    }
    if (RESTORES.includes(f.name)) writeImage(b, at, !fx && b.rng.chance(0.3));
    else {
      // What the SDM leaves to the implementation: FOP, FIP/FCS and FDP/FDS (which instructions
      // update them, and whether FCS/FDS are deprecated), the reserved byte after the abridged
      // FTW, and the reserved bytes 10-15 of each ST slot and 416-463 of the legacy region.
      b.ignoreData.push([at + 5, 19]);
      for (let k = 0; k < 8; k++) b.ignoreData.push([at + 42 + 16 * k, 6]);
      b.ignoreData.push([at + 416, 48]);
    }
    b.emit(f, [b.mem(size, { offset: Math.max(0, at), keepData: true })]);
  },
};

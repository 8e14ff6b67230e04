/** x87 loads, stores and control: FLD/FST/FSTP, FINIT/FNINIT, FNSTCW/FLDCW, FNSTSW, with stack faults and pending exceptions. */
import type { Operand } from '../iced.ts';
import type { CaseBuilder } from '../builder.ts';
import { byForms, lazy, type Family } from '../family.ts';
import { ext80, f32Lane, f64Lane, forms, withSimd } from '../simd.ts';

export const X87_FORMS = [
  'Fld_m32fp', 'Fld_m64fp', 'Fld_m80fp', 'Fld_sti', 'Fst_m32fp', 'Fst_m64fp', 'Fst_sti', 'Fstp_m32fp', 'Fstp_m64fp', 'Fstp_m80fp', 'Fstp_sti',
  'Finit', 'Fninit', 'Fnstcw_m2byte', 'Fstcw_m2byte', 'Fldcw_m2byte', 'Fnstsw_m2byte', 'Fstsw_m2byte', 'Fnstsw_AX', 'Fstsw_AX',
];

/** An FCW: any masks, precision and rounding; bit 6 set and bits 7 and 13-15 clear as FLDCW leaves them. */
export function randomFcw(b: CaseBuilder): number {
  if (b.rng.chance(0.4)) return 0x37f;
  const masks = b.rng.chance(0.6) ? 0x3f : b.rng.int(64);
  return masks | 0x40 | (b.rng.int(4) << 8) | (b.rng.int(4) << 10) | (b.rng.chance(0.2) ? 0x1000 : 0);
}

function memValue(b: CaseBuilder, bytes: number): Operand {
  const offset = b.randomOffset(bytes, b.rng.chance(0.8) ? Math.min(bytes, 8) : 1);
  if (bytes === 4) b.poke(offset, 4, BigInt(f32Lane(b.rng)));
  else if (bytes === 8) b.poke(offset, 8, f64Lane(b.rng));
  else if (bytes === 10) b.data.set(ext80(b.rng), offset);
  return b.mem(bytes, { offset, keepData: true });
}

export const x87: Family = {
  name: 'x87',
  count: 9000,
  dataLength: 128,
  ...byForms,
  forms: lazy(() => forms(X87_FORMS)),
  build(b, i) {
    const f = this.forms()[i % this.forms().length];
    const image = withSimd(b, { x87: true, ymm: b.rng.chance(0.2) });
    image.fcw = randomFcw(b);
    // Sticky flags, sometimes unmasked: then ES and B are set and the next waiting instruction is #MF.
    const flags = b.rng.chance(0.3) ? b.rng.int(128) : 0;
    const pending = flags & 0x3f & ~image.fcw;
    image.fsw = (image.fsw & 0x3800) | flags | (pending ? 0x8080 : 0) | (b.rng.chance(0.2) ? b.rng.pick([0x100, 0x200, 0x400, 0x4000]) : 0);
    if (b.rng.chance(0.5)) image.ftw = b.rng.pick([0, 0xff, 0x7f, 0xfe, 0x80, 0x01]);
    b.emit(f, x87Operands(b, f.name));
  },
};

/** Operands for an x87 form: ST(i), AX, a control/status word, or a value of the form's memory format. */
export function x87Operands(b: CaseBuilder, name: string): Operand[] {
  if (name.endsWith('_sti')) return [{ kind: 'reg', reg: `ST${b.rng.int(8)}` }];
  if (name.endsWith('_AX')) {
    // AX is written: later memory operands must not take RAX as a pointer.
    b.reserve(0);
    return [{ kind: 'reg', reg: 'AX' }];
  }
  if (name.endsWith('m2byte')) {
    const offset = b.randomOffset(2, b.rng.chance(0.8) ? 2 : 1);
    b.poke(offset, 2, BigInt(b.rng.chance(0.7) ? randomFcw(b) : b.rng.int(0x10000)));
    return [b.mem(2, { offset, keepData: true })];
  }
  if (name === 'Finit' || name === 'Fninit') return [];
  return [memValue(b, Number(/m(\d+)fp/.exec(name)![1]) / 8)];
}

/**
 * Short sequences whose instructions hand flags and values to each other (ADD then ADC, a shift by
 * zero that must leave the previous flags alone, SETcc after BT, ...): the cases where flags
 * computed late or partially go wrong, which one instruction at a time cannot show.
 */
import { registerRef, UndefinedFlagRead, type CaseBuilder } from '../builder.ts';
import { formsMatching, type Form } from '../iced.ts';
import { lazy, type Family } from '../family.ts';
import { shiftCount } from './arithmetic.ts';

const pool = lazy(() =>
  formsMatching(
    /^(Add|Or|Adc|Sbb|And|Sub|Xor|Cmp|Test)_(r|rm)(8|16|32|64)_(r|rm|imm)|^(Inc|Dec|Neg|Not)_rm|^(Rol|Ror|Rcl|Rcr|Shl|Shr|Sar)_rm|^Sh[lr]d_|^(Bt|Bts|Btr|Btc)_rm\d+_imm8|^(Cmov|Set)[a-z]+_|^(Clc|Stc|Cmc|Lahf|Sahf)$|^(Bsf|Bsr|Popcnt|Lzcnt|Tzcnt)_|^Imul_r(16|32|64)_rm(16|32|64)(_imm8)?$/,
  ),
);

function link(b: CaseBuilder, f: Form, first: boolean): boolean {
  const width = f.operands[0]?.bits ?? 8;
  const shifts = /^(Rol|Ror|Rcl|Rcr|Shl|Shr|Sar|Shld|Shrd)_/.test(f.name);
  const ops = b.operands(f, { memChance: first ? 0.4 : 0, imm: shifts ? () => shiftCount(b, width) : undefined });
  if (f.operands.some((o) => o.kind === 'cl')) b.setReg('CL', shiftCount(b, width));
  try {
    b.emit(f, ops);
    return true;
  } catch (error) {
    if (error instanceof UndefinedFlagRead) return false; // the caller picks another form
    throw error;
  }
}

export const chains: Family = {
  name: 'chains',
  count: 12000,
  forms: pool,
  mnemonics: () => [...new Set(pool().map((f) => f.mnemonic.toLowerCase()))],
  period: () => 2 * pool().length,
  build(b, i) {
    const forms = pool();
    const length = 2 + b.rng.int(3);
    // Only the first instruction takes a memory operand: later ones may overwrite its pointer.
    const usable = (f: Form) =>
      !f.operands.some((o) => ['al', 'ax', 'eax', 'rax', 'cl'].includes(o.kind) && b.isPointer(registerRef(o.kind.toUpperCase()).index));
    for (let n = 0; n < length; n++) {
      let f = n === 0 ? forms[Math.floor(i / 2) % forms.length] : b.rng.pick(forms);
      while (!usable(f) || !link(b, f, n === 0)) f = b.rng.pick(forms);
    }
  },
};

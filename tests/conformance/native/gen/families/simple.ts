/** Flag instructions, sign extensions of the accumulator, NOPs and instructions that trap. */
import { formsMatching } from '../iced.ts';
import { edgeWeighted, mask } from '../random.ts';
import { byForms, lazy, type Family } from '../family.ts';

export const flagOps: Family = {
  name: 'flags',
  ...byForms,
  count: 6000,
  forms: lazy(() => formsMatching(/^(Clc|Stc|Cmc|Cld|Std|Lahf|Sahf)$/)),
  build(b, i) {
    const f = this.forms()[i % this.forms().length];
    if (f.name === 'Sahf') b.setReg('AH', edgeWeighted(b.rng, 8));
    b.emit(f);
  },
};

export const convert: Family = {
  name: 'convert',
  ...byForms,
  count: 6000,
  forms: lazy(() => formsMatching(/^(Cbw|Cwde|Cdqe|Cwd|Cdq|Cqo)$/)),
  build(b, i) {
    const f = this.forms()[i % this.forms().length];
    const source = { Cbw: 8, Cwde: 16, Cdqe: 32, Cwd: 16, Cdq: 32, Cqo: 64 }[f.name] ?? 64;
    b.regs[0] = (b.rng.u64() & ~mask(source)) | edgeWeighted(b.rng, source);
    b.emit(f);
  },
};

export const misc: Family = {
  name: 'misc',
  ...byForms,
  count: 6000,
  forms: lazy(() => formsMatching(/^(Nop[wdq]|Nop_rm(16|32|64)|Pause|Endbr64|Ud2|Int3|Ud1_r(16|32|64)_rm(16|32|64)|Hlt|Cli|Sti)$/)),
  build(b, i) {
    const f = this.forms()[i % this.forms().length];
    b.emit(f, b.operands(f));
  },
};

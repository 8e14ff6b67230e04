/**
 * SIMD and x87 memory operands with RFLAGS.AC set (Linux runs ring 3 with CR0.AM): which
 * misaligned accesses take #AC, which #GP, and which neither is partly implementation-specific
 * (SDM FXSAVE: "#AC may or may not be generated"), so the host decides.
 */
import { lazy, type Family } from '../family.ts';
import { avxMove, mxcsr, sseFloat, sseInt, sseMove } from './sse.ts';
import { x87 } from './x87.ts';
import { xsave } from './xsave.ts';

const AC = 0x40000;
const inner = lazy(() => [sseMove, sseInt, sseFloat, avxMove, mxcsr, x87, xsave]);

export const simdAc: Family = {
  name: 'simd-ac',
  count: 4000,
  dataLength: 1024,
  forms: () => inner().flatMap((f) => f.forms()),
  mnemonics: () => [...new Set(inner().flatMap((f) => f.mnemonics()))],
  period: () => inner().length * Math.max(...inner().map((f) => f.period())),
  build(b, i) {
    const families = inner();
    const family = families[i % families.length];
    family.build(b, Math.floor(i / families.length));
    b.rflags |= AC;
  },
};

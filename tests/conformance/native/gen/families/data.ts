/** Data movement: MOV and its relatives, LEA, CMOVcc/SETcc, exchanges. */
import { CaseBuilder, RSP, registerName, registerRef, type MemOperand } from '../builder.ts';
import { formsMatching } from '../iced.ts';
import { edgeWeighted, mask } from '../random.ts';
import { accumulator, byForms, lazy, reg, valueOf, widthOf, type Family } from '../family.ts';

export const mov: Family = {
  name: 'mov',
  ...byForms,
  count: 14000,
  forms: lazy(() =>
    formsMatching(/^Mov_(r|rm|AL|AX|EAX|RAX|moffs)(8|16|32|64)?_(r|rm|imm|moffs|AL|AX|EAX|RAX)|^Movzx_|^Movsx_|^Movsxd_|^Bswap_r(32|64)$|^Lea_/),
  ),
  build(b, i) {
    const f = this.forms()[i % this.forms().length];
    if (f.name.startsWith('Lea_')) {
      const dest = reg(b.pickReg(f.operands[0].bits));
      b.emit(f, [dest, leaOperand(b)]);
      return;
    }
    b.emit(f, b.operands(f));
  },
};

/** LEA computes but never accesses: base, index and displacement may hold anything. */
function leaOperand(b: CaseBuilder): MemOperand {
  // With 0x67 the sum is computed in 32 bits, then sized to the destination (SDM Vol. 2A LEA).
  const bits = b.rng.chance(0.2) ? 32 : 64;
  const base = b.rng.chance(0.85) ? registerName(b.rng.int(16), bits) : null;
  let index: string | null = null;
  if (b.rng.chance(0.6)) {
    let ix: number;
    do ix = b.rng.int(16);
    while (ix === RSP);
    index = registerName(ix, bits);
  }
  for (const r of [base, index]) if (r && registerRef(r).index !== RSP) b.regs[registerRef(r).index] = edgeWeighted(b.rng, 64);
  const size = base === null ? (bits === 64 ? 8 : 4) : b.rng.pick([0, 1, bits === 64 ? 8 : 4]);
  const disp = size === 0 ? 0n : size === 1 ? BigInt(b.rng.range(-128, 127)) : BigInt(b.rng.u32() | 0);
  return { kind: 'mem', base, index, scale: b.rng.pick([1, 2, 4, 8] as const), disp: bits === 32 ? disp & mask(32) : disp, displSize: size };
}

export const cmovSetcc: Family = {
  name: 'cmov-setcc',
  ...byForms,
  count: 12000,
  forms: lazy(() => formsMatching(/^(Cmov|Set)[a-z]+_/)),
  build(b, i) {
    const f = this.forms()[i % this.forms().length];
    b.emit(f, b.operands(f));
  },
};

export const xchg: Family = {
  name: 'xchg',
  ...byForms,
  count: 12000,
  dataLength: 128,
  forms: lazy(() => formsMatching(/^(Xchg|Xadd|Cmpxchg)_|^Cmpxchg(8|16)b_/)),
  build(b, i) {
    const f = this.forms()[i % this.forms().length];
    if (f.name.startsWith('Cmpxchg8b') || f.name.startsWith('Cmpxchg16b')) {
      const bytes = f.name.startsWith('Cmpxchg8b') ? 8 : 16;
      b.reserve(0, 1, 2, 3);
      for (const r of [0, 1, 2, 3]) b.regs[r] = edgeWeighted(b.rng, 64);
      // CMPXCHG16B needs a 16-byte aligned operand (#GP otherwise, SDM Vol. 2A CMPXCHG8B/CMPXCHG16B).
      const misaligned = bytes === 16 && b.rng.chance(0.15);
      const offset = misaligned ? 8 + 16 * b.rng.int(6) : b.randomOffset(bytes, bytes === 16 ? 16 : 1);
      const m = b.mem(bytes, { offset });
      if (b.rng.chance(0.5)) {
        const half = bytes * 4;
        b.setReg(accumulator(half), b.peek(offset, bytes / 2));
        b.setReg(registerName(2, half), b.peek(offset + bytes / 2, bytes / 2));
      }
      b.emit(f, [m], { lock: b.rng.chance(0.3) });
      return;
    }
    if (f.name.startsWith('Cmpxchg_')) b.reserve(0);
    const ops = b.operands(f);
    if (f.name.startsWith('Cmpxchg_') && b.rng.chance(0.5)) {
      const bits = widthOf(f);
      b.setReg(accumulator(bits), valueOf(b, ops[0], bits));
    }
    b.emit(f, ops, { lock: ops[0].kind === 'mem' && b.rng.chance(0.3) });
  },
};

/** Accesses that fault: the vector, its RIP and the untouched state must match. */
import { CODE_ADDR, DATA_ADDR, STACK_SIZE, STACK_TOP } from '../../types.ts';
import { CaseBuilder, RSP, registerName, registerRef, type MemOperand } from '../builder.ts';
import { encodeString, form, type RepKind } from '../iced.ts';
import { mask } from '../random.ts';
import { lazy, pickFree, reg, type Family } from '../family.ts';
import { stringOps, stringSizes } from './string.ts';

const loadForms = lazy(() =>
  ['Mov_r64_rm64', 'Movzx_r32_rm8', 'Cmp_rm64_imm8', 'Adc_r32_rm32', 'Add_rm16_r16', 'Inc_rm8', 'Xchg_rm64_r64', 'Neg_rm16', 'Shl_rm32_CL', 'Bt_rm64_imm8', 'Cmovb_r64_rm64', 'Imul_r32_rm32', 'Div_rm32', 'Push_rm64'].map(form),
);
const storeForms = lazy(() => ['Mov_rm32_r32', 'Setne_rm8', 'Pop_rm64', 'Mov_rm64_imm32'].map(form));

/** A memory operand at an exact (possibly unmapped or non-canonical) address, through `base`. */
function memAt(b: CaseBuilder, address: bigint, base: string): MemOperand {
  const disp = BigInt(b.rng.pick([0, 8, -8, b.rng.range(-128, 127)]));
  b.setReg(base, (address - disp) & mask(64));
  return { kind: 'mem', base, index: null, scale: 1, disp, displSize: disp === 0n && base !== 'RBP' ? 0 : 1 };
}

const NON_CANONICAL = [0x0000_8000_0000_0000n, 0x0000_8000_0000_0010n, 0xffff_7fff_ffff_fff8n, 0x8000_0000_0000_0000n, 0x1234_5678_9abc_def0n];

export const faults: Family = {
  name: 'faults',
  count: 8000,
  dataLength: 128,
  forms: () => [...loadForms(), ...storeForms()],
  mnemonics: () => [...new Set([...loadForms(), ...storeForms()].map((f) => f.mnemonic.toLowerCase()))],
  period: () => 6 * (loadForms().length + storeForms().length),
  build(b, i) {
    // Accesses the layout does not map, or that no layout could: the fault, its RIP and the
    // untouched state must match (faults are restartable, SDM Vol. 3A §6.5).
    const kind = i % 6;
    const k = Math.floor(i / 6);
    const all = [...loadForms(), ...storeForms()];
    b.stackInUse = true;
    if (kind === 5) return stringOffThePage(b, k);
    if (kind === 4) return stackEdge(b, k);
    const wide = loadForms().filter((x) => x.operands.some((o) => (o.kind === 'rm' || o.kind === 'mem') && o.bits > 8));
    const f = kind === 3 ? wide[k % wide.length] : all[k % all.length];
    if (f.name === 'Pop_rm64') {
      b.stackInUse = true;
      b.regs[RSP] = STACK_TOP - 8n * BigInt(1 + b.rng.int(8));
    }
    const ops = b.operands(f, { memChance: 0 });
    const at = f.operands.findIndex((o) => o.kind === 'rm' || o.kind === 'mem');
    const avoid = ops.flatMap((o) => (o.kind === 'reg' ? [registerRef(o.reg).index] : []));
    const base = registerName(pickFree(b, [...avoid, 5]), 64);
    let address: bigint;
    let through = base;
    const near = BigInt(b.rng.int(0x100));
    if (kind === 0) address = b.rng.pick([DATA_ADDR + 0x1000n + near, DATA_ADDR - 8n - near, 0x40000000n + near, CODE_ADDR + 0x2000n + near, STACK_TOP + near]);
    else if (kind === 1) address = b.rng.pick(NON_CANONICAL);
    else if (kind === 2) {
      // SS is the default segment for RSP and RBP bases: a non-canonical address is #SS, not #GP.
      address = b.rng.pick(NON_CANONICAL);
      through = f.name === 'Pop_rm64' || f.name === 'Push_rm64' ? 'RBP' : b.rng.pick(['RBP', 'RSP']);
    } else address = DATA_ADDR + 0x1000n - BigInt(1 + b.rng.int(f.operands[at].bits / 8 - 1));
    ops[at] = memAt(b, address, through);
    b.emit(f, ops);
  },
};

/** PUSH, POP, CALL and RET at the edges of the stack page. */
function stackEdge(b: CaseBuilder, k: number): void {
  b.stackInUse = true;
  const bottom = STACK_TOP - BigInt(STACK_SIZE);
  switch (k % 4) {
    case 0:
      b.regs[RSP] = bottom + BigInt(b.rng.int(8));
      b.emit('Push_r64', [reg(registerName(pickFree(b, []), 64))]);
      return;
    case 1:
      b.regs[RSP] = STACK_TOP - BigInt(b.rng.int(8));
      b.emit('Pop_r64', [reg(registerName(pickFree(b, []), 64))]);
      return;
    case 2:
      b.regs[RSP] = bottom + BigInt(b.rng.int(8));
      b.emit('Call_rel32_64', [{ kind: 'branch', target: CODE_ADDR + 5n }]);
      return;
    default:
      b.regs[RSP] = STACK_TOP - BigInt(b.rng.int(8));
      b.emit('Retnq');
  }
}

/** REP string instructions that run off the data page part-way: the registers show the progress. */
function stringOffThePage(b: CaseBuilder, k: number): void {
  const op = stringOps[k % 5];
  const size = stringSizes[Math.floor(k / 5) % 4];
  const down = Math.floor(k / 20) % 2 === 0;
  const rep: RepKind = op === 'cmps' || op === 'scas' ? (b.rng.chance(0.5) ? 'repe' : 'repne') : 'rep';
  b.reserve(0, 1, 6, 7);
  b.rflags = (b.rflags & ~0x400) | (down ? 0x400 : 0);
  const inside = b.rng.range(0, 6);
  const count = inside + 1 + b.rng.range(1, 4);
  const edge = down ? DATA_ADDR + BigInt(inside * size) : DATA_ADDR + 0x1000n - BigInt((inside + 1) * size);
  const other = down ? DATA_ADDR + 64n + BigInt(inside * size) : DATA_ADDR + BigInt(b.rng.int(8) * size);
  const sourceAtEdge = op === 'lods' || (op !== 'stos' && op !== 'scas' && b.rng.chance(0.5));
  b.regs[6] = sourceAtEdge ? edge : other;
  b.regs[7] = sourceAtEdge ? other : edge;
  b.regs[1] = BigInt(count);
  b.regs[0] = 0n;
  b.emitEncoded(encodeString(op, size, 64, rep, b.rip));
}

/** Conditional and unconditional branches, calls, returns, loops. */
import { CODE_ADDR } from '../../types.ts';
import { CaseBuilder, RSP, registerName } from '../builder.ts';
import { encode, form, formsMatching, type Encoded, type EncodeOptions, type Form } from '../iced.ts';
import { mask } from '../random.ts';
import { byForms, imm, lazy, marker, pickFree, reg, setValue, stackInData, valueOf, type Family } from '../family.ts';

export const jcc: Family = {
  name: 'jcc',
  ...byForms,
  count: 10000,
  forms: lazy(() => formsMatching(/^J(o|no|b|ae|e|ne|be|a|s|ns|p|np|l|ge|le|g)_rel(8|32)_64$/)),
  build(b, i) {
    const f = this.forms()[i % this.forms().length];
    if (b.rng.chance(0.3)) {
      const width = b.rng.pick([8, 16, 32, 64]);
      const cmp = form(`Cmp_r${width}_rm${width}`);
      const ops = b.operands(cmp, { memChance: 0 });
      if (b.rng.chance(0.2)) setValue(b, ops[1], width, valueOf(b, ops[0], width));
      b.emit(cmp, ops);
    }
    branchOver(b, f, marker(b), ignoredPrefix(b, ['cs', 'ds']));
  },
};

/** A relative branch whose target is just past `skipped`, which follows it. */
function branchOver(b: CaseBuilder, f: Form, skipped: Encoded, options: EncodeOptions = {}): void {
  const length = encode(f, [{ kind: 'branch', target: b.rip }], b.rip, options).bytes.length;
  b.emit(f, [{ kind: 'branch', target: b.rip + BigInt(length + skipped.bytes.length) }], options);
  b.emitEncoded(skipped);
}

/** Prefixes that do not change a branch: hints (2E/3E) on Jcc, `bnd` (F2), `notrack` (3E) on indirect ones, `rep ret`. */
function ignoredPrefix(b: CaseBuilder, choices: EncodeOptions['prefix'][]): EncodeOptions {
  return b.rng.chance(0.15) ? { prefix: b.rng.pick(choices) } : {};
}

/** Where an indirect branch or RET goes: past the marker (usual), onto it, or to an unmapped page (#PF at the target). */
function branchTarget(b: CaseBuilder, end: bigint, markerAt: bigint): bigint {
  const roll = b.rng.int(20);
  if (roll < 15) return end;
  if (roll < 18) return markerAt;
  return 0x40000000n + BigInt(b.rng.int(0x1000));
}

export const branch: Family = {
  name: 'branch',
  ...byForms,
  count: 10000,
  forms: lazy(() => formsMatching(/^(Jmp_rel(8|32)_64|Jmp_rm64|Call_rel32_64|Call_rm64|Retnq|Retnq_imm16)$/)),
  build(b, i) {
    const f = this.forms()[i % this.forms().length];
    const rspOffset = stackInData(b, 16, 112);
    const skipped = marker(b, [RSP]);
    if (/rel/.test(f.name)) {
      branchOver(b, f, skipped, ignoredPrefix(b, ['repne']));
      return;
    }
    if (f.name.startsWith('Retnq')) {
      const ops = f.name === 'Retnq_imm16' ? [imm(BigInt(b.rng.pick([0, 8, 16, 1, 0xfff8, b.rng.int(0x10000)])))] : [];
      const encoded = b.emit(f, ops, ignoredPrefix(b, ['rep', 'repne']));
      b.emitEncoded(skipped);
      const at = CODE_ADDR + BigInt(encoded.bytes.length);
      b.poke(rspOffset, 8, branchTarget(b, at + BigInt(skipped.bytes.length), at));
      return;
    }
    const ops = b.operands(f, { memChance: 0.5 });
    const encoded = b.emit(f, ops, ignoredPrefix(b, ['ds', 'repne']));
    b.emitEncoded(skipped);
    const at = CODE_ADDR + BigInt(encoded.bytes.length);
    setValue(b, ops[0], 64, branchTarget(b, at + BigInt(skipped.bytes.length), at));
  },
};

export const loop: Family = {
  name: 'loop',
  ...byForms,
  count: 10000,
  forms: lazy(() => formsMatching(/^(Loop|Loope|Loopne)_rel8_64_(RCX|ECX)$|^J(r|e)cxz_rel8_64$/)),
  build(b, i) {
    const f = this.forms()[i % this.forms().length];
    b.reserve(1);
    const ecx = f.name.endsWith('ECX') || f.name.startsWith('Jecxz');
    if (f.name.startsWith('Loop') && b.rng.chance(0.35)) {
      // A real loop: the body runs RCX (or ECX) times unless LOOPE/LOOPNE stop on ZF from the body.
      const count = BigInt(b.rng.range(1, 12));
      b.regs[1] = ecx ? (b.rng.u64() & ~mask(32)) | count : count;
      const counter = registerName(pickFree(b, [1]), 32);
      b.setReg(counter, BigInt(b.rng.range(0, 14)));
      b.emit(b.rng.chance(0.5) ? 'Dec_rm32' : 'Inc_rm32', [reg(counter)]);
      b.emit(f, [{ kind: 'branch', target: CODE_ADDR }]);
      return;
    }
    b.regs[1] = b.rng.pick([0n, 1n, 2n, 0xffffffffn, 0x100000000n, 0x100000001n, 0xffffffffffffffffn, b.rng.u64(), BigInt(b.rng.int(4))]);
    branchOver(b, f, marker(b, [1]));
  },
};

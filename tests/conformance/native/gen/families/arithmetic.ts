/** ALU, multiply and divide, shifts and rotates, bit tests and bit scans. */
import { CaseBuilder, registerName } from '../builder.ts';
import { formsMatching, type Operand } from '../iced.ts';
import { edgeWeighted, mask } from '../random.ts';
import { accumulator, byForms, lazy, reg, setValue, valueOf, widthOf, type Family } from '../family.ts';

export function shiftCount(b: CaseBuilder, bits: number): bigint {
  return BigInt(b.rng.pick([0, 1, 2, bits - 1, bits, bits + 1, 31, 32, 33, 63, 64, 65, 128, 255, b.rng.int(256), b.rng.int(bits + 2), b.rng.int(bits + 2)]));
}

export const alu: Family = {
  name: 'alu',
  ...byForms,
  count: 20000,
  forms: lazy(() => formsMatching(/^(Add|Or|Adc|Sbb|And|Sub|Xor|Cmp|Test)_|^(Inc|Dec|Neg|Not)_rm/)),
  build(b, i) {
    const f = this.forms()[i % this.forms().length];
    const ops = b.operands(f);
    if (ops.length === 2 && b.rng.chance(0.15)) setValue(b, ops[1], widthOf(f), valueOf(b, ops[0], widthOf(f)));
    const lockable = ops[0].kind === 'mem' && !/^(Cmp|Test)/.test(f.name);
    b.emit(f, ops, { lock: lockable && b.rng.chance(0.2) });
  },
};

export const mulDiv: Family = {
  name: 'mul-div',
  ...byForms,
  count: 16000,
  forms: lazy(() => formsMatching(/^(Mul|Imul|Div|Idiv)_rm|^Imul_r/)),
  build(b, i) {
    const f = this.forms()[i % this.forms().length];
    if (f.operands.length === 1) b.reserve(0, 2);
    const ops = b.operands(f);
    if (/^I?div/i.test(f.name)) {
      const bits = widthOf(f);
      const signed = f.name.startsWith('Idiv');
      if (b.rng.chance(0.1)) setValue(b, ops[0], bits, 0n);
      const low = bits === 8 ? 'AL' : accumulator(bits);
      const high = bits === 8 ? 'AH' : registerName(2, bits);
      b.setReg(low, edgeWeighted(b.rng, bits));
      const divisor = valueOf(b, ops[0], bits);
      if (b.rng.chance(0.6)) {
        // A dividend whose quotient fits, so most cases divide rather than raise #DE.
        if (signed) b.setReg(high, b.getReg(low) >> BigInt(bits - 1) ? mask(bits) : 0n);
        else b.setReg(high, divisor > 0n ? BigInt(b.rng.u32()) % divisor : 0n);
      } else {
        b.setReg(high, edgeWeighted(b.rng, bits));
      }
    }
    b.emit(f, ops);
  },
};

export const shift: Family = {
  name: 'shift',
  ...byForms,
  count: 20000,
  forms: lazy(() => formsMatching(/^(Rol|Ror|Rcl|Rcr|Shl|Shr|Sal|Sar)_rm|^Sh[lr]d_/)),
  build(b, i) {
    const f = this.forms()[i % this.forms().length];
    const bits = widthOf(f);
    const ops = b.operands(f, { imm: () => shiftCount(b, bits) });
    if (f.operands.some((o) => o.kind === 'cl')) b.setReg('CL', shiftCount(b, bits));
    b.emit(f, ops);
  },
};

export const bits: Family = {
  name: 'bits',
  ...byForms,
  count: 14000,
  dataLength: 256,
  forms: lazy(() => formsMatching(/^(Bt|Bts|Btr|Btc)_rm/)),
  build(b, i) {
    const f = this.forms()[i % this.forms().length];
    const width = f.operands[0].bits;
    const lock = (ops: Operand[]) => ops[0].kind === 'mem' && !f.name.startsWith('Bt_') && b.rng.chance(0.2);
    if (f.operands[1].kind === 'reg' && b.rng.chance(0.5)) {
      // A register bit offset addresses memory beyond the operand: signed, in units of the operand size (SDM Vol. 2A BT).
      const offsetReg = b.pickReg(width);
      const base = 128;
      const bitOffset = BigInt(b.rng.range(-base * 8, (256 - base) * 8 - width));
      b.setReg(offsetReg, bitOffset & mask(width));
      const m = b.mem(width / 8, { offset: base });
      const ops = [m, reg(offsetReg)];
      b.emit(f, ops, { lock: lock(ops) });
      return;
    }
    const ops = b.operands(f, {
      memChance: f.operands[1].kind === 'reg' ? 0 : 0.4,
      imm: () => BigInt(b.rng.pick([0, 1, width - 1, width, width + 1, 255, b.rng.int(256)])),
    });
    b.emit(f, ops, { lock: lock(ops) });
  },
};

export const bitscan: Family = {
  name: 'bitscan',
  ...byForms,
  count: 10000,
  forms: lazy(() => formsMatching(/^(Bsf|Bsr|Tzcnt|Lzcnt|Popcnt)_/)),
  build(b, i) {
    const f = this.forms()[i % this.forms().length];
    const ops = b.operands(f);
    const width = f.operands[1].bits;
    const roll = b.rng.int(10);
    if (roll < 2) setValue(b, ops[1], width, 0n);
    else if (roll < 4) setValue(b, ops[1], width, 1n << BigInt(b.rng.int(width)));
    b.emit(f, ops);
  },
};

/**
 * Operand rewrites where GNU as (binutils 2.40, tc-i386.c) departs from a plain reading of the
 * operands: constant truncation and sign reading, register widths for segment and selector
 * instructions, implied operands. Each rule was checked against GNU as (tests/conformance/gas).
 */
import { lookupRegister, type RegInfo } from './encode-registers.ts';
import type { PlanOp } from './model.ts';
import type { Bits } from './types.ts';

export interface RuleResult {
  ops: PlanOp[];
  /** The operand size (a suffix), possibly cleared by a rule. */
  size: number | null;
  /** The line is an error, with this message. */
  error?: string;
  /** Encode as `nop` instead (`xchg %rax,%rax`). */
  asNop: boolean;
  /** Use the ModRM form of xchg, not the one-byte accumulator form. */
  avoidShortXchg: boolean;
}

const hex = (v: bigint) => (v < 0n ? `-0x${(-v).toString(16)}` : `0x${v.toString(16)}`);

function registerByNum(size: number, num: number): RegInfo | undefined {
  const names16 = ['ax', 'cx', 'dx', 'bx', 'sp', 'bp', 'si', 'di'];
  if (size === 16) return lookupRegister(num < 8 ? names16[num] : `r${num}w`);
  return lookupRegister(num < 8 ? `e${names16[num]}` : `r${num}d`);
}

/** Applies the rules to `ops` (Intel operand order) in place and returns what else changed. */
export function applyGasOperandRules(mnemonic: string, ops: PlanOp[], suffixSize: number | null, bits: Bits): RuleResult {
  let size = suffixSize;
  let avoidShortXchg = false;
  if ((mnemonic === 'lfs' || mnemonic === 'lgs' || mnemonic === 'lss') && ops[0]?.k === 'reg' && ops[0].reg.size === 64) {
    // The REX.W form (m16:64) exists only on Intel CPUs; GNU as does not accept it.
    return { ops, size, error: `\`${mnemonic}\` cannot load a 64-bit register (GNU as accepts only the 16- and 32-bit forms)`, asNop: false, avoidShortXchg };
  }
  if (bits !== 64) {
    // Outside 64-bit code GNU as keeps constants to 32 bits (tc-i386.c extend_to_32bit_address).
    for (const o of ops) {
      if (o.k === 'imm' && o.v.known) o.v = { known: true, value: BigInt.asIntN(32, o.v.value) };
      if (o.k === 'mem' && o.disp?.known) o.disp = { known: true, value: BigInt.asIntN(32, o.disp.value) };
    }
  }
  for (const o of ops) {
    if (o.k !== 'mem' || !o.disp?.known || o.ripTarget) continue;
    const addr = (o.base ?? o.index)?.size ?? bits;
    // 16/32-bit addressing reads 0xffff / 0xffffffff as -1, so it fits an 8-bit displacement.
    const v = o.disp.value;
    if (addr === 16 && v >= 0n && v <= 0xffffn) o.disp = { known: true, value: BigInt.asIntN(16, v) };
    if (addr === 32 && v >= 0n && v <= 0xffffffffn) o.disp = { known: true, value: BigInt.asIntN(32, v) };
    const wide = (o.base ?? o.index)?.size === 64 || o.base?.cls === 'ip';
    const leaNarrow = mnemonic === 'lea' && ops[0].k === 'reg' && ops[0].reg.size < 64;
    if (wide && leaNarrow && v >= 0n && v <= 0xffffffffn) o.disp = { known: true, value: BigInt.asIntN(32, v) };
    if (wide && leaNarrow && (o.disp.value < -(1n << 31n) || o.disp.value >= 1n << 31n)) {
      // A narrow lea only keeps the low address bits: GNU as truncates the displacement but keeps disp32.
      o.disp = { known: true, value: BigInt.asIntN(32, o.disp.value) };
      o.fullDisp = true;
    } else if (wide && (o.disp.value < -(1n << 31n) || o.disp.value >= 1n << 31n)) {
      return { ops, size, error: `${hex(o.disp.value)} out of range of signed 32bit displacement`, asNop: false, avoidShortXchg: false };
    }
  }
  // `imul $3, %eax` is `imul $3, %eax, %eax`; a shift or rotate with no count shifts by one.
  if (mnemonic === 'imul' && ops.length === 2 && ops[1].k === 'imm' && ops[0].k === 'reg') ops.splice(1, 0, { ...ops[0] });
  if (['shl', 'shr', 'sar', 'rol', 'ror', 'rcl', 'rcr', 'sal'].includes(mnemonic) && ops.length === 1) ops.push({ k: 'imm', v: { known: true, value: 1n } });
  const natural = bits === 16 ? 16 : 32;
  if (mnemonic === 'mov' && ops.length === 2 && ops.some((o) => o.k === 'reg' && o.reg.cls === 'seg')) {
    // GNU as moves into segment registers from the register of the mode's natural width
    // (`8e d8` for %ax, %eax and %rax alike in 32/64-bit code), stores segment registers to
    // 64-bit registers without REX.W, and to memory without an operand-size prefix.
    size = null;
    const toSeg = ops[0].k === 'reg' && ops[0].reg.cls === 'seg';
    ops.forEach((o, i) => {
      if (o.k !== 'reg' || o.reg.cls !== 'gpr') return;
      if ((toSeg && i === 1) || (!toSeg && o.reg.size === 64)) ops[i] = { k: 'reg', reg: registerByNum(natural, o.reg.num) ?? o.reg };
    });
    for (const o of ops) if (o.k === 'mem') o.bits = null;
  }
  if ((mnemonic === 'lar' || mnemonic === 'lsl') && ops.length === 2 && ops[0].k === 'reg' && ops[0].reg.size > 16 && ops[1].k === 'reg' && ops[1].reg.size === 16) {
    // The selector operand may be written as a 16-bit register; it is encoded like the 32-bit one.
    ops[1] = { k: 'reg', reg: registerByNum(32, ops[1].reg.num) ?? ops[1].reg };
  }
  if ((mnemonic === 'str' || mnemonic === 'sldt') && ops.length === 1 && ops[0].k === 'reg' && ops[0].reg.size === 64) {
    // GNU as stores the selector through the 32-bit register (no REX.W); the upper bits are zeroed either way.
    ops[0] = { k: 'reg', reg: registerByNum(32, ops[0].reg.num) ?? ops[0].reg };
  }
  if (mnemonic === 'xchg' && ops.length === 2 && ops[0].k === 'reg' && ops[1].k === 'reg' && ops[0].reg.id === ops[1].reg.id && ops[0].reg.cls === 'gpr') {
    // `xchg %rax,%rax` is GNU as's `90`; `xchg %eax,%eax` in 64-bit code must not be `90` (it zero-extends).
    if (ops[0].reg.num === 0 && ops[0].reg.size === 64) return { ops, size, asNop: true, avoidShortXchg: false };
    if (bits === 64 && ops[0].reg.size === 32) avoidShortXchg = true;
  }
  if (['lldt', 'ltr', 'verr', 'verw', 'arpl', 'lmsw'].includes(mnemonic)) {
    // These read a 16-bit selector; GNU as encodes the register without an operand-size prefix.
    ops.forEach((o, i) => {
      if (o.k === 'reg' && o.reg.cls === 'gpr' && o.reg.size === 16) ops[i] = { k: 'reg', reg: registerByNum(natural, o.reg.num) ?? o.reg };
    });
  }
  // GNU as sizes an immediate by the suffix or the destination register and, for 8/16/32-bit
  // operations, reads 0xffff / 0xffffffff as -1 so that they fit sign-extended imm8 fields.
  const sizedMem = ops.find((o) => o.k === 'mem' && o.bits !== null && o.bits <= 64) as { bits: number } | undefined;
  // In 16-bit code an unsized immediate is taken as a word (tc-i386.c: guess_suffix).
  const guess = size ?? (ops.find((o) => o.k === 'reg' && o.reg.cls === 'gpr') as { reg: RegInfo } | undefined)?.reg.size ?? sizedMem?.bits ?? (bits === 16 ? 16 : null);
  if (guess !== null && guess <= 32) {
    for (const o of ops) {
      if (o.k !== 'imm' || !o.v.known) continue;
      let v = o.v.value;
      if (guess <= 16 && v >= 0n && v <= 0xffffn) v = BigInt.asIntN(16, v);
      if (v >= 0n && v <= 0xffffffffn) v = BigInt.asIntN(32, v);
      o.v = { known: true, value: v };
      o.sized = guess;
    }
  }
  return { ops, size, asNop: false, avoidShortXchg };
}

/** RFLAGS bits (Intel SDM Vol. 1, 3.4.3) and the condition predicates Jcc/SETcc/CMOVcc test. */
export const CF = 1 << 0;
export const FIXED1 = 1 << 1;
export const PF = 1 << 2;
export const AF = 1 << 4;
export const ZF = 1 << 6;
export const SF = 1 << 7;
export const TF = 1 << 8;
export const IF = 1 << 9;
export const DF = 1 << 10;
export const OF = 1 << 11;
export const IOPL = 3 << 12;
export const NT = 1 << 14;
export const RF = 1 << 16;
export const VM = 1 << 17;
export const AC = 1 << 18;
export const VIF = 1 << 19;
export const VIP = 1 << 20;
export const ID = 1 << 21;

/** Every named flag with its bit, low bit first (IOPL, a two-bit field, is shown apart). */
export const FLAG_NAMES: readonly (readonly [bit: number, name: string])[] = (
  [[CF, 'CF'], [PF, 'PF'], [AF, 'AF'], [ZF, 'ZF'], [SF, 'SF'], [TF, 'TF'], [IF, 'IF'], [DF, 'DF'], [OF, 'OF'], [NT, 'NT'], [RF, 'RF'], [VM, 'VM'], [AC, 'AC'], [VIF, 'VIF'], [VIP, 'VIP'], [ID, 'ID']] as const
).map(([mask, name]) => [Math.log2(mask), name] as const);

/** The six status flags the arithmetic instructions write. */
export const STATUS = CF | PF | AF | ZF | SF | OF;
/** Every bit software can ever see set (the rest of RFLAGS reads as zero, bit 1 as one). */
export const DEFINED = STATUS | TF | IF | DF | IOPL | NT | RF | VM | AC | VIF | VIP | ID | FIXED1;

/** PARITY[b] is PF for a result whose low byte is b: set when the byte has an even number of ones. */
export const PARITY = new Uint8Array(256);
for (let b = 0; b < 256; b++) {
  let ones = 0;
  for (let v = b; v; v >>= 1) ones += v & 1;
  PARITY[b] = ones % 2 === 0 ? PF : 0;
}

/** Condition codes in the order of their encoding (the low nibble of Jcc/SETcc/CMOVcc opcodes). */
export const enum Cond {
  O, NO, B, AE, E, NE, BE, A, S, NS, P, NP, L, GE, LE, G,
}

export const CONDITION_NAMES = ['o', 'no', 'b', 'ae', 'e', 'ne', 'be', 'a', 's', 'ns', 'p', 'np', 'l', 'ge', 'le', 'g'] as const;

/** SF != OF */
export const isLess = (f: number): boolean => ((f & SF) !== 0) !== ((f & OF) !== 0);
/** ZF = 1 or SF != OF */
export const isLessOrEqual = (f: number): boolean => (f & ZF) !== 0 || isLess(f);
/** CF = 1 or ZF = 1 */
export const isBelowOrEqual = (f: number): boolean => (f & (CF | ZF)) !== 0;

/** Evaluates condition `cc` (0..15) against RFLAGS `f` (Intel SDM Vol. 1, Appendix B). */
export function testCondition(cc: number, f: number): boolean {
  switch (cc) {
    case 0: return (f & OF) !== 0;
    case 1: return (f & OF) === 0;
    case 2: return (f & CF) !== 0;
    case 3: return (f & CF) === 0;
    case 4: return (f & ZF) !== 0;
    case 5: return (f & ZF) === 0;
    case 6: return isBelowOrEqual(f);
    case 7: return !isBelowOrEqual(f);
    case 8: return (f & SF) !== 0;
    case 9: return (f & SF) === 0;
    case 10: return (f & PF) !== 0;
    case 11: return (f & PF) === 0;
    case 12: return isLess(f);
    case 13: return !isLess(f);
    case 14: return isLessOrEqual(f);
    default: return !isLessOrEqual(f);
  }
}

/** Mask of the value bits and the sign bit for an operand of `bytes` bytes (up to 4). */
export const MASK = [0, 0xff, 0xffff, 0, 0xffffffff] as const;
export const SIGN = [0, 0x80, 0x8000, 0, 0x80000000] as const;

/** Status flags after a result `r` (already masked to `bytes`) for ZF, SF and PF. */
export function szp(r: number, bytes: number): number {
  return (r === 0 ? ZF : 0) | ((r & SIGN[bytes]) !== 0 ? SF : 0) | PARITY[r & 0xff];
}

/** ZF, SF, PF for a 64-bit result held as two int32 halves. */
export function szp64(lo: number, hi: number): number {
  return ((lo | hi) === 0 ? ZF : 0) | (hi < 0 ? SF : 0) | PARITY[lo & 0xff];
}

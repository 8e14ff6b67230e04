/**
 * Status flags a compiled block owes but has not computed: the last flag-writing instruction
 * leaves its kind and operands in the block's locals (fo, fa..fd), and the flags are worked out
 * only where something can see them: a handler call, a fault (the block's catch), the block's
 * exit, or a branch condition the operands cannot answer directly.
 */
import { SUB, add64, alu, logic64, sub64 } from '../ops/alu.ts';
import { CF } from '../arch/rflags.ts';
import type { Cpu } from '../cpu/state.ts';

/** What fo holds: nothing owed, or the instruction whose flags are. */
export const NONE = 0;
/** 64-bit ADD: fa:fb + fc:fd. */
export const ADD64 = 1;
/** 64-bit SUB or CMP: fa:fb - fc:fd. */
export const SUB64 = 2;
/** 64-bit AND, OR, XOR or TEST: the result fa:fb. */
export const LOGIC64 = 3;
/** 32-bit ALU operation fa on the unsigned operands fb and fc. */
export const ALU32 = 4;
/** 32-bit SUB or CMP of the unsigned operands fa and fb. */
export const SUB32 = 5;
/** 64-bit INC or DEC of fa:fb, with fc the CF it keeps. */
export const INC64 = 6;
export const DEC64 = 7;

/** Computes the owed flags into cpu.flags, as the instruction that owed them would have. */
export function settle(cpu: Cpu, kind: number, a: number, b: number, c: number, d: number): void {
  switch (kind) {
    case ADD64: add64(cpu, a, b, c, d); break;
    case SUB64: sub64(cpu, a, b, c, d); break;
    case LOGIC64: logic64(cpu, a, b); break;
    case ALU32: alu(cpu, a, b, c, 4); break;
    case SUB32: alu(cpu, SUB, a, b, 4); break;
    case INC64:
    case DEC64:
      if (kind === INC64) add64(cpu, a, b, 1, 0);
      else sub64(cpu, a, b, 1, 0);
      cpu.flags = (cpu.flags & ~CF) | c;
      break;
  }
}

/** Pays what is owed (the code in a compiled block). */
export const SETTLE = 'if (fo !== 0) { H.settle(cpu, fo, fa, fb, fc, fd); fo = 0; }';

/** The assignments that make instruction's flags owed. */
export const owe = (kind: number, a: string, b: string, c = '0', d = '0'): string => `fo = ${kind}; fa = ${a}; fb = ${b}; fc = ${c}; fd = ${d};`;

// Condition codes in encoding order: O NO B AE E NE BE A S NS P NP L GE LE G. Each even one is followed by its negation.
const B = 2;
const E = 4;
const BE = 6;
const S = 8;
const L = 12;
const LE = 14;

const UNSIGNED_LESS64 = (or: string) => `((fb >>> 0) < (fd >>> 0) || (fb === fd && (fa >>> 0) ${or} (fc >>> 0)))`;
const SIGNED_LESS64 = (or: string) => `(fb < fd || (fb === fd && (fa >>> 0) ${or} (fc >>> 0)))`;

/** The conditions each kind answers from its operands, without computing the flags. */
const DIRECT: Record<number, Partial<Record<number, string>>> = {
  [SUB64]: { [B]: UNSIGNED_LESS64('<'), [E]: '(fa === fc && fb === fd)', [BE]: UNSIGNED_LESS64('<='), [L]: SIGNED_LESS64('<'), [LE]: SIGNED_LESS64('<=') },
  // The result is zero when the operand was the one value before zero.
  [INC64]: { [E]: '(fa === -1 && fb === -1)' },
  [DEC64]: { [E]: '(fa === 1 && fb === 0)' },
  [SUB32]: { [B]: '(fa < fb)', [E]: '(fa === fb)', [BE]: '(fa <= fb)', [L]: '((fa | 0) < (fb | 0))', [LE]: '((fa | 0) <= (fb | 0))' },
  // CF and OF are clear: below is never, below-or-equal is zero, less is the sign.
  [LOGIC64]: { 0: 'false', [B]: 'false', [E]: '((fa | fb) === 0)', [BE]: '((fa | fb) === 0)', [S]: '(fb < 0)', [L]: '(fb < 0)', [LE]: '((fa | fb) === 0 || fb < 0)' },
};

/**
 * Code for condition `cc` where the flags owed are of `kind` (known where the block is compiled):
 * the code to run first, and the expression. `fromFlags` is the expression over cpu.flags.
 */
export function condition(cc: number, kind: number, fromFlags: (cc: number) => string): [string, string] {
  const direct = DIRECT[kind]?.[cc & ~1];
  if (direct !== undefined) return ['', cc & 1 ? `!${direct}` : direct];
  return [kind === NONE ? '' : SETTLE, fromFlags(cc)];
}

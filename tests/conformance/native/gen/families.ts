/**
 * The instruction families: each builds case number i of its family into a CaseBuilder. Forms are
 * taken in turn (form = forms[i % forms.length]) so every form appears; operands are random and
 * edge-weighted.
 */
import type { Family } from './family.ts';
import { alu, bits, bitscan, mulDiv, shift } from './families/arithmetic.ts';
import { chains } from './families/chains.ts';
import { branch, jcc, loop } from './families/control.ts';
import { cmovSetcc, mov, xchg } from './families/data.ts';
import { faults } from './families/faults.ts';
import { lock } from './families/lock.ts';
import { convert, flagOps, misc } from './families/simple.ts';
import { avxMove, mxcsr, sseFloat, sseInt, sseMove } from './families/sse.ts';
import { simdAc } from './families/simd-ac.ts';
import { simdChains } from './families/simd-chains.ts';
import { simdPrefixes } from './families/simd-prefixes.ts';
import { stack } from './families/stack.ts';
import { string } from './families/string.ts';
import { x87 } from './families/x87.ts';
import { xsave } from './families/xsave.ts';

export type { Family } from './family.ts';

export const FAMILIES: Family[] = [alu, mov, cmovSetcc, xchg, stack, mulDiv, shift, bits, bitscan, jcc, branch, loop, string, flagOps, convert, misc, lock, faults, chains];

/** x87/SSE/AVX/XSAVE families: their cases carry SIMD state and have their own fixture. */
export const SIMD_FAMILIES: Family[] = [sseMove, sseInt, sseFloat, mxcsr, avxMove, x87, xsave, simdChains, simdPrefixes, simdAc];

export function familyNamed(name: string): Family {
  const all = [...FAMILIES, ...SIMD_FAMILIES];
  const family = all.find((f) => f.name === name);
  if (!family) throw new Error(`no case family named '${name}' (known: ${all.map((f) => f.name).join(', ')})`);
  return family;
}

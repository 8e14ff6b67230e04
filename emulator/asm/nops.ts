/**
 * The NOP sequences GNU as (binutils 2.40, i386_generate_nops) fills code alignment with. They depend
 * on the assembler's starting mode (`as --64` or `as --32`) and on the current `.code` width.
 */
import type { Bits } from './types.ts';

const hex = (s: string) => Uint8Array.from(s.match(/../g)!.map((b) => parseInt(b, 16)));

// Long NOPs (0f 1f) as used for 32- and 64-bit code under `as --64`.
const longNops = ['90', '6690', '0f1f00', '0f1f4000', '0f1f440000', '660f1f440000', '0f1f8000000000', '0f1f840000000000', '660f1f840000000000', '662e0f1f840000000000', '66662e0f1f840000000000'].map(hex);
// `lea`-based fillers for 32-bit code under `as --32`.
const leaNops32 = ['90', '6690', '8d7600', '8d742600', '8d74260090', '8db600000000', '8db42600000000'].map(hex);
// 16-bit code.
const leaNops16 = ['90', '6690', '8d7400', '8db40000'].map(hex);

function fillWith(table: Uint8Array[], count: number, out: number[]): void {
  const max = table.length;
  while (count > 0) {
    const n = Math.min(count, max);
    out.push(...table[n - 1]);
    count -= n;
  }
}

/** Bytes that pad `count` bytes of code. */
export function nopFill(count: number, startBits: Bits, codeBits: Bits): Uint8Array {
  const out: number[] = [];
  let table: Uint8Array[];
  let jumpOver: number;
  if (codeBits === 16) {
    table = leaNops16;
    jumpOver = 11;
  } else if (startBits === 64) {
    table = longNops;
    jumpOver = Infinity;
  } else {
    table = leaNops32;
    jumpOver = 20;
  }
  if (count > jumpOver) {
    // A short jump over the padding, as GNU as does for long fills.
    out.push(0xeb, count - 2);
    fillWith(table, count - 2, out);
  } else fillWith(table, count, out);
  return Uint8Array.from(out);
}

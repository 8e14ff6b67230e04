/** Case inputs from a seed: generators with edge-weighting (0, 1, all ones, sign bits) and shrink candidates for the minimizer. */
import type { Prng } from './prng.ts';
import type { GeneratorSpec } from './schema.ts';

export interface Generator {
  describe: string;
  draw(rng: Prng): bigint;
  /** Simpler values to try in place of `value`, simplest first; every one is a value `draw` could produce. */
  shrink(value: bigint): bigint[];
}

/** Arithmetic flags a learner's code may meet (CF PF AF ZF SF OF) plus the always-one bit 1; TF, IF and DF stay clear so a case never traps or runs string ops backwards. */
const ARITH_FLAGS = [0x1n, 0x4n, 0x10n, 0x40n, 0x80n, 0x800n];

function unsigned(bits: number): Generator {
  const max = (1n << BigInt(bits)) - 1n;
  const sign = 1n << BigInt(bits - 1);
  const edges = [0n, 1n, max, sign, sign - 1n];
  return {
    describe: `u${bits}`,
    draw: (rng) => (rng.below(5) === 0 ? edges[rng.below(edges.length)] : rng.between(0n, max)),
    shrink: (v) => uniqueSmaller(v, [0n, 1n, v >> BigInt(bits / 2), v & 0xffffn, v & 0xffn, v >> 1n]),
  };
}

function uniqueSmaller(v: bigint, candidates: bigint[]): bigint[] {
  const out: bigint[] = [];
  for (const c of candidates) if (c < v && !out.includes(c)) out.push(c);
  return out;
}

export function makeGenerator(spec: GeneratorSpec): Generator {
  if (typeof spec === 'string') {
    switch (spec) {
      case 'u64': return unsigned(64);
      case 'u32': return unsigned(32);
      case 'u16': return unsigned(16);
      case 'u8': return unsigned(8);
      case 'bool': return { describe: 'bool', draw: (rng) => BigInt(rng.below(2)), shrink: (v) => (v ? [0n] : []) };
      case 'flags': return {
        describe: 'flags',
        draw: (rng) => ARITH_FLAGS.reduce((acc, bit) => (rng.below(2) ? acc | bit : acc), 0x2n),
        shrink: (v) => uniqueSmaller(v, [0x2n, ...ARITH_FLAGS.filter((b) => v & b).map((b) => v & ~b)]),
      };
    }
  }
  if ('range' in spec) {
    const [lo, hi] = spec.range;
    const align = spec.align ?? 1n;
    const first = ((lo + align - 1n) / align) * align;
    const slots = hi >= first ? (hi - first) / align + 1n : 0n;
    if (slots <= 0n) throw new Error(`range [${lo}, ${hi}] holds no value aligned to ${align}`);
    return {
      describe: `range [0x${lo.toString(16)}, 0x${hi.toString(16)}]${align > 1n ? ` aligned to ${align}` : ''}`,
      draw: (rng) => {
        const r = rng.below(6);
        if (r === 0) return first;
        if (r === 1) return first + (slots - 1n) * align;
        return first + rng.between(0n, slots - 1n) * align;
      },
      shrink: (v) => uniqueSmaller(v, [first, first + (((v - first) / align) >> 1n) * align]),
    };
  }
  if ('choice' in spec) {
    const choices = spec.choice;
    return {
      describe: `one of ${choices.map((c) => `0x${c.toString(16)}`).join(', ')}`,
      draw: (rng) => choices[rng.below(choices.length)],
      shrink: (v) => choices.slice(0, Math.max(0, choices.indexOf(v))),
    };
  }
  const value = spec.const;
  return { describe: `0x${value.toString(16)}`, draw: () => value, shrink: () => [] };
}

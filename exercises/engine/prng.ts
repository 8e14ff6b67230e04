/**
 * SplitMix64 (Steele, Lea, Flood 2014): tiny, fast to seed, and its output for a given seed is
 * the same in every runtime, so a case number plus the exercise seed always rebuilds the same case.
 */
const MASK64 = (1n << 64n) - 1n;

export class Prng {
  private state: bigint;

  constructor(seed: bigint) {
    this.state = BigInt.asUintN(64, seed);
  }

  /** A fresh generator for one case: independent streams per case index, so shrinking or skipping a case never shifts the others. */
  static forCase(seed: bigint, caseIndex: number): Prng {
    const mixer = new Prng(seed ^ (BigInt(caseIndex + 1) * 0x9e3779b97f4a7c15n));
    return new Prng(mixer.next64());
  }

  next64(): bigint {
    this.state = (this.state + 0x9e3779b97f4a7c15n) & MASK64;
    let z = this.state;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
    return z ^ (z >> 31n);
  }

  /** Uniform integer in [0, n) for small n (n ≤ 2^32). */
  below(n: number): number {
    return Number(this.next64() % BigInt(n));
  }

  /** Uniform bigint in [lo, hi]. */
  between(lo: bigint, hi: bigint): bigint {
    const span = hi - lo + 1n;
    if (span <= 0n) return lo;
    let wide = 0n;
    for (let bits = 0n; bits < 128n && (1n << bits) < span * 2n; bits += 64n) wide = (wide << 64n) | this.next64();
    return lo + (wide % span);
  }
}

/** Parses a seed as given on a command line or in a spec: decimal or 0x-hex. */
export function parseSeed(text: string): bigint | undefined {
  const t = text.trim();
  if (!/^(0x[0-9a-f]+|[0-9]+)$/i.test(t)) return undefined;
  return BigInt.asUintN(64, BigInt(t));
}

export const hex = (v: bigint | number): string => `0x${BigInt.asUintN(64, BigInt(v)).toString(16)}`;

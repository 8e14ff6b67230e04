/** A small deterministic PRNG (xoshiro128**) and the edge-weighted value pickers the families share. */
export class Random {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(seed: string) {
    // splitmix32 over an FNV-1a hash of the seed text: every family gets its own stream.
    let h = 0x811c9dc5;
    for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 0x01000193) >>> 0;
    const next = () => {
      h = (h + 0x9e3779b9) >>> 0;
      let z = h;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next() | 1;
  }

  u32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** 0 <= n < bound */
  int(bound: number): number {
    return Math.floor((this.u32() / 0x100000000) * bound);
  }

  /** lo <= n <= hi */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  chance(p: number): boolean {
    return this.u32() / 0x100000000 < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  u64(): bigint {
    return (BigInt(this.u32()) << 32n) | BigInt(this.u32());
  }

  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i += 4) {
      const word = this.u32();
      for (let j = 0; j < 4 && i + j < n; j++) out[i + j] = (word >>> (8 * j)) & 0xff;
    }
    return out;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

export const mask = (bits: number): bigint => (1n << BigInt(bits)) - 1n;

/** Values where arithmetic changes behaviour: zero, one, all ones, both sides of every sign boundary. */
export function edgeValues(bits: number): bigint[] {
  const m = mask(bits);
  const values = new Set<bigint>([0n, 1n, 2n, m, m - 1n]);
  for (const w of [8, 16, 32, 64]) {
    const top = 1n << BigInt(w - 1);
    for (const v of [top - 1n, top, top + 1n, (top << 1n) - 1n]) values.add(v & m);
  }
  values.add(0x55n & m);
  values.add(0xaaaaaaaaaaaaaaaan & m);
  return [...values];
}

const edgeCache = new Map<number, bigint[]>();

/** An operand value of the given width: half edge values, some small numbers, the rest uniform. */
export function edgeWeighted(rng: Random, bits: number): bigint {
  let edges = edgeCache.get(bits);
  if (!edges) edgeCache.set(bits, (edges = edgeValues(bits)));
  const roll = rng.int(100);
  if (roll < 50) return rng.pick(edges);
  if (roll < 65) return BigInt(rng.int(17));
  return rng.u64() & mask(bits);
}

/** A full 64-bit register whose low `bits` are edge-weighted and whose upper part is random, so partial writes show. */
export function registerValue(rng: Random, bits: number): bigint {
  const low = edgeWeighted(rng, bits);
  if (bits === 64) return low;
  const upper = rng.chance(0.2) ? 0n : rng.u64() & ~mask(bits);
  return upper | low;
}

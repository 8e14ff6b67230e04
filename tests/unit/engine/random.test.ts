import { describe, expect, it } from 'vitest';
import { Prng, parseSeed } from '../../../exercises/engine/prng.ts';
import { makeGenerator } from '../../../exercises/engine/random.ts';
import type { GeneratorSpec } from '../../../exercises/engine/schema.ts';

describe('seeded generators', () => {
  it('splitmix64 gives the published first outputs for seed 0', () => {
    const rng = new Prng(0n);
    expect([rng.next64(), rng.next64()]).toEqual([0xe220a8397b1dcdafn, 0x6e789e6aa1b965f4n]);
  });

  it('same seed and case index give the same values; different cases differ', () => {
    const draw = (seed: bigint, i: number) => { const r = Prng.forCase(seed, i); return [r.next64(), r.next64()]; };
    expect(draw(42n, 3)).toEqual(draw(42n, 3));
    expect(draw(42n, 3)).not.toEqual(draw(42n, 4));
    expect(draw(42n, 3)).not.toEqual(draw(43n, 3));
  });

  const generators: Record<string, [GeneratorSpec, (v: bigint) => boolean]> = {
    u64: ['u64', (v) => v >= 0n && v < 1n << 64n],
    u32: ['u32', (v) => v >= 0n && v < 1n << 32n],
    u8: ['u8', (v) => v >= 0n && v < 256n],
    bool: ['bool', (v) => v === 0n || v === 1n],
    flags: ['flags', (v) => (v & 2n) === 2n && (v & ~0x8d7n) === 0n],
    'range aligned': [{ range: [0x100n, 0x200n], align: 16n }, (v) => v >= 0x100n && v <= 0x200n && v % 16n === 0n],
    choice: [{ choice: [3n, 5n, 7n] }, (v) => [3n, 5n, 7n].includes(v)],
    const: [{ const: 9n }, (v) => v === 9n],
  };
  it.each(Object.keys(generators))('%s draws only valid values, and shrinks to valid smaller ones', (name) => {
    const [spec, valid] = generators[name];
    const g = makeGenerator(spec);
    const rng = new Prng(7n);
    for (let i = 0; i < 500; i++) {
      const v = g.draw(rng);
      expect(valid(v)).toBe(true);
      for (const s of g.shrink(v)) { expect(valid(s)).toBe(true); expect(s < v).toBe(true); }
    }
  });

  it('weights edges: u64 draws hit 0, all ones and the sign bit', () => {
    const g = makeGenerator('u64');
    const rng = new Prng(1n);
    const seen = new Set<bigint>();
    for (let i = 0; i < 400; i++) seen.add(g.draw(rng));
    for (const edge of [0n, 0xffffffffffffffffn, 0x8000000000000000n]) expect(seen.has(edge)).toBe(true);
  });

  it.each([['42', '42'], ['0x1234', '4660'], ['abc', undefined], ['-1', undefined]])('parseSeed(%s)', (t, v) => {
    expect(parseSeed(t)?.toString()).toBe(v);
  });
});

import { describe, expect, it } from 'vitest';
import { CF, OF, run } from './helpers.ts';

/** Values where carries, signs and word boundaries matter, plus a fixed pseudo-random spread. */
const EDGES = [0n, 1n, 2n, 3n, 0x7fn, 0x80n, 0xffn, 0x7fffn, 0x8000n, 0xffffn, 0x7fffffffn, 0x80000000n, 0xffffffffn, 0x100000000n, 0xfffffffffffffn, 0x10000000000000n, 0x7fffffffffffffffn, 0x8000000000000000n, 0xffffffffffffffffn, 0xfffffffffffffffen];
function spread(count: number, seed: bigint): bigint[] {
  const out: bigint[] = [];
  let x = seed;
  for (let i = 0; i < count; i++) {
    x = BigInt.asUintN(64, x * 6364136223846793005n + 1442695040888963407n);
    // Vary the magnitude so that small and large operands both occur.
    out.push(x >> BigInt((i * 7) % 64));
  }
  return out;
}
const VALUES = [...EDGES, ...spread(40, 17n)];
const mask = (n: number) => (1n << BigInt(n)) - 1n;
const signed = (v: bigint, n: number) => BigInt.asIntN(n, v);

describe('64-bit and 32-bit multiply and divide agree with exact integer arithmetic', () => {
  it('MUL, one-operand IMUL and two-operand IMUL: product halves, CF and OF', () => {
    for (const a of VALUES) {
      for (const b of VALUES.slice(0, 30)) {
        const mul = run('48f7e3', { regs: { rax: a, rbx: b } });
        const p = a * b;
        expect([mul.reg('rax'), mul.reg('rdx'), (mul.flags & CF) !== 0n]).toEqual([p & mask(64), p >> 64n, p >> 64n !== 0n]);

        const imul = run('48f7eb', { regs: { rax: a, rbx: b } });
        const sp = signed(a, 64) * signed(b, 64);
        const fits = signed(sp, 64) === sp;
        expect([imul.reg('rax'), imul.reg('rdx'), (imul.flags & (CF | OF)) === (fits ? 0n : CF | OF)]).toEqual([BigInt.asUintN(64, sp), BigInt.asUintN(64, sp >> 64n), true]);

        const imul2 = run('480fafc3', { regs: { rax: a, rbx: b } });
        expect(imul2.reg('rax')).toBe(BigInt.asUintN(64, sp));
        expect((imul2.flags & CF) !== 0n).toBe(!fits);

        const a32 = a & mask(32);
        const b32 = b & mask(32);
        const imul32 = run('f7eb', { regs: { rax: a32, rbx: b32 } });
        const sp32 = signed(a32, 32) * signed(b32, 32);
        expect([imul32.reg('rax'), imul32.reg('rdx'), (imul32.flags & OF) !== 0n]).toEqual([BigInt.asUintN(32, sp32), BigInt.asUintN(32, sp32 >> 32n), signed(sp32, 32) !== sp32]);
      }
    }
  });

  it('DIV and IDIV of RDX:RAX: quotient and remainder, or #DE when the quotient does not fit', () => {
    const highs = [0n, 1n, 0xffffffffffffffffn, 0x7fffn];
    for (const lo of VALUES) {
      for (const hi of highs) {
        for (const d of VALUES.slice(0, 24)) {
          const n = (hi << 64n) | lo;
          const div = run('48f7f3', { regs: { rax: lo, rdx: hi, rbx: d } });
          if (d === 0n || n / d > mask(64)) expect(div.result.fault?.vector).toBe(0);
          else expect([div.reg('rax'), div.reg('rdx')]).toEqual([n / d, n % d]);

          const sn = signed(n, 128);
          const sd = signed(d, 64);
          const idiv = run('48f7fb', { regs: { rax: lo, rdx: hi, rbx: d } });
          if (sd === 0n || signed(sn / sd, 64) !== sn / sd) expect(idiv.result.fault?.vector).toBe(0);
          else expect([idiv.reg('rax'), idiv.reg('rdx')]).toEqual([BigInt.asUintN(64, sn / sd), BigInt.asUintN(64, sn % sd)]);
        }
      }
    }
  });

  it('DIV and IDIV of EDX:EAX', () => {
    for (const a of VALUES) {
      for (const d of VALUES.slice(0, 24)) {
        const lo = a & mask(32);
        const hi = (a >> 32n) & mask(32);
        const d32 = d & mask(32);
        const n = (hi << 32n) | lo;
        const div = run('f7f3', { regs: { rax: lo, rdx: hi, rbx: d32 } });
        if (d32 === 0n || n / d32 > mask(32)) expect(div.result.fault?.vector).toBe(0);
        else expect([div.reg('rax'), div.reg('rdx')]).toEqual([n / d32, n % d32]);
        const sn = signed(n, 64);
        const sd = signed(d32, 32);
        const idiv = run('f7fb', { regs: { rax: lo, rdx: hi, rbx: d32 } });
        if (sd === 0n || signed(sn / sd, 32) !== sn / sd) expect(idiv.result.fault?.vector).toBe(0);
        else expect([idiv.reg('rax'), idiv.reg('rdx')]).toEqual([BigInt.asUintN(32, sn / sd), BigInt.asUintN(32, sn % sd)]);
      }
    }
  });
});

type Reference = (v: bigint, c: number, n: number, cf: bigint) => [bigint, bigint];
const bit = (v: bigint, k: number) => (k < 0 ? 0n : (v >> BigInt(k)) & 1n);
const rotl = (v: bigint, t: number, w: number) => (t === 0 ? v : ((v << BigInt(t)) | (v >> BigInt(w - t))) & mask(w));
const SHIFTS: [string, number, Reference, (n: number) => number][] = [
  ['ROL', 0, (v, c, n) => { const r = rotl(v, c % n, n); return [r, r & 1n]; }, (n) => (n === 64 ? 63 : 31)],
  ['ROR', 1, (v, c, n) => { const r = rotl(v, (n - (c % n)) % n, n); return [r, bit(r, n - 1)]; }, (n) => (n === 64 ? 63 : 31)],
  ['RCL', 2, (v, c, n, cf) => { const t = n <= 16 ? c % (n + 1) : c; const r = rotl((cf << BigInt(n)) | v, t, n + 1); return [r & mask(n), bit(r, n)]; }, (n) => (n === 64 ? 63 : 31)],
  ['RCR', 3, (v, c, n, cf) => { const t = n <= 16 ? c % (n + 1) : c; const r = rotl((cf << BigInt(n)) | v, (n + 1 - t) % (n + 1), n + 1); return [r & mask(n), bit(r, n)]; }, (n) => (n === 64 ? 63 : 31)],
  ['SHL', 4, (v, c, n) => [(v << BigInt(c)) & mask(n), bit(v, n - c)], (n) => n - 1],
  ['SHR', 5, (v, c) => [v >> BigInt(c), bit(v, c - 1)], (n) => n - 1],
  ['SAR', 7, (v, c, n) => [BigInt.asUintN(n, signed(v, n) >> BigInt(c)), bit(v, c - 1)], (n) => n - 1],
];
const PREFIX: Record<number, string> = { 8: 'd2', 16: '66d3', 32: 'd3', 64: '48d3' };

describe('shifts and rotates of every width agree with exact integer arithmetic', () => {
  for (const [name, digit, reference, maxCount] of SHIFTS) {
    it(`${name}: result and CF for every count`, () => {
      for (const n of [8, 16, 32, 64]) {
        const code = PREFIX[n] + (0xc0 | (digit << 3)).toString(16);
        for (const value of VALUES.slice(0, 28)) {
          const v = value & mask(n);
          for (let c = 1; c <= maxCount(n); c++) {
            for (const cf of [0n, 1n]) {
              const out = run(code, { regs: { rax: v, rcx: BigInt(c) }, flags: cf });
              const [r, cfOut] = reference(v, c, n, cf);
              expect([out.reg('rax') & mask(n), out.flags & CF]).toEqual([r, cfOut]);
            }
          }
        }
      }
    });
  }

  it('SHLD and SHRD of 32 and 64 bits: result and CF for every count', () => {
    for (const n of [32, 64]) {
      const wide = n === 64 ? '48' : '';
      for (const v of VALUES.slice(0, 20)) {
        for (const s of VALUES.slice(20, 30)) {
          const dv = v & mask(n);
          const sv = s & mask(n);
          for (let c = 1; c < n; c++) {
            const left = run(`${wide}0fa5d8`, { regs: { rax: dv, rbx: sv, rcx: BigInt(c) } });
            expect([left.reg('rax') & mask(n), left.flags & CF]).toEqual([((dv << BigInt(c)) | (sv >> BigInt(n - c))) & mask(n), bit(dv, n - c)]);
            const right = run(`${wide}0fadd8`, { regs: { rax: dv, rbx: sv, rcx: BigInt(c) } });
            expect([right.reg('rax') & mask(n), right.flags & CF]).toEqual([((dv >> BigInt(c)) | (sv << BigInt(n - c))) & mask(n), bit(dv, c - 1)]);
          }
        }
      }
    }
  });
});

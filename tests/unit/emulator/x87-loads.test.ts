/** x87 loads and stores round-trip every class of single and double exactly (a denormal included: it loads as a normal extended value). */
import { describe, expect, it } from 'vitest';
import { run } from './helpers.ts';

const le = (value: bigint, bytes: number) => Array.from({ length: bytes }, (_, i) => Number((value >> BigInt(8 * i)) & 0xffn).toString(16).padStart(2, '0')).join('');

describe('FLD then FSTP of the same width gives back the same bits', () => {
  it.each([
    ['the smallest double denormal', 'dd07 dd5f08', 0x1n, 8],
    ['a large double denormal', 'dd07 dd5f08', 0x000fedcba9876543n, 8],
    ['a negative double denormal', 'dd07 dd5f08', 0x8000000000000abcn, 8],
    ['the smallest double normal', 'dd07 dd5f08', 0x0010000000000000n, 8],
    ['pi as a double', 'dd07 dd5f08', 0x400921fb54442d18n, 8],
    ['the smallest single denormal', 'd907 d95f08', 0x1n, 4],
    ['a single denormal', 'd907 d95f08', 0x007fffffn, 4],
    ['a single infinity', 'd907 d95f08', 0x7f800000n, 4],
  ] as const)('%s', (_what, code, bits, size) => {
    const o = run(code.replace(/\s+/g, ''), { data: le(bits, size), regs: { cr0: 0x80000033n } });
    expect(o.result.reason).toBe('breakpoint');
    expect(o.data(8, size)).toBe(le(bits, size));
  });

  it('FLD of a double denormal yields its exact value in ST(0), normalised', () => {
    // fld qword [rdi]; fstp tbyte [rdi+16]: 2^-1074 is 1.0 * 2^-1074, exponent 16383 - 1074 = 0x3bcd
    const o = run('dd07 db7f10', { data: le(1n, 8), regs: { cr0: 0x80000033n } });
    expect(o.data(16, 10)).toBe(`${le(0x8000000000000000n, 8)}${le(0x3bcdn, 2)}`);
  });
});

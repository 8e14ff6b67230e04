import { describe, expect, it } from 'vitest';
import { cpuid } from '../../../emulator/cpu/cpuid.ts';
import { CODE, handlerAt, longMachine, qword } from './long-machine.ts';

const STAC = '0f01cb';
const CLAC = '0f01ca';
const UD2 = '0f0b';
const AC = 1n << 18n;
const PUSH_AC_FLAGS = '680000040048' + '9d'; // push 0x40000; popfq: AC set at CPL 0

/** RFLAGS in the #UD frame the handler was entered with. */
const savedFlags = (m: ReturnType<typeof longMachine>): bigint => qword(m, Number(m.getRegister('rsp')) + 16);

describe('STAC and CLAC (SDM Vol. 2A CLAC, Vol. 2B STAC)', () => {
  it.each([
    { name: 'STAC at CPL 0 sets AC', code: STAC + UD2, cpl: 0 as const, ac: AC },
    { name: 'CLAC at CPL 0 clears AC', code: PUSH_AC_FLAGS + CLAC + UD2, cpl: 0 as const, ac: 0n },
    { name: 'STAC then CLAC leaves AC clear', code: STAC + CLAC + UD2, cpl: 0 as const, ac: 0n },
  ])('$name', (c) => {
    const m = longMachine({ code: c.code, cpl: c.cpl });
    expect(m.run({ maxInstructions: 50 }).reason).toBe('hlt');
    expect(m.getRegister('rip')).toBe(BigInt(handlerAt(6) + 1));
    expect(savedFlags(m) & AC).toBe(c.ac);
  });

  it.each([
    ['STAC', STAC],
    ['CLAC', CLAC],
  ])('%s at CPL 3 is #UD at the instruction, not #GP', (_name, code) => {
    const m = longMachine({ code: code + UD2, cpl: 3 });
    expect(m.run({ maxInstructions: 50 }).reason).toBe('hlt');
    expect(m.getRegister('rip')).toBe(BigInt(handlerAt(6) + 1));
    expect(qword(m, Number(m.getRegister('rsp')))).toBe(BigInt(CODE)); // the frame points at the STAC/CLAC itself
    expect(savedFlags(m) & AC).toBe(0n);
  });

  it('CPUID advertises what the CPU implements: SMEP, SMAP and UMIP', () => {
    const [, ebx, ecx] = cpuid(7, 0);
    expect([(ebx >>> 7) & 1, (ebx >>> 20) & 1, (ecx >>> 2) & 1]).toEqual([1, 1, 1]);
  });
});

import { describe, expect, it } from 'vitest';
import { handlerAt, longMachine, qword } from './long-machine.ts';

/** CR4 with PAE and UMIP (bit 11). */
const UMIP = '0x820';
const NO_UMIP = '0x20';
const UD2 = '0f0b';

const stores: [string, string][] = [
  ['SGDT [0x40000]', '0f01042500000400'],
  ['SIDT [0x40000]', '0f010c2500000400'],
  ['SLDT EAX', '0f00c0'],
  ['STR EAX', '0f00c8'],
  ['SMSW EAX', '0f01e0'],
];

describe('UMIP: descriptor-table and MSW stores at CPL > 0 (SDM Vol. 3A §2.5)', () => {
  it.each(stores.flatMap(([name, code]) => [
    { name: `${name} at CPL 3 with CR4.UMIP is #GP(0)`, code, cpl: 3 as const, cr4: UMIP, vector: 13 },
    { name: `${name} at CPL 3 without CR4.UMIP runs`, code, cpl: 3 as const, cr4: NO_UMIP, vector: 6 },
    { name: `${name} at CPL 0 with CR4.UMIP runs`, code, cpl: 0 as const, cr4: UMIP, vector: 6 },
  ]))('$name', (c) => {
    const m = longMachine({ code: c.code + UD2, cpl: c.cpl, cr4: c.cr4 });
    expect(m.run({ maxInstructions: 50 }).reason).toBe('hlt');
    expect(m.getRegister('rip')).toBe(BigInt(handlerAt(c.vector) + 1));
    if (c.vector === 13) expect(qword(m, Number(m.getRegister('rsp')))).toBe(0n);
  });

  it('MOV to CR4 accepts the UMIP bit', () => {
    const m = longMachine({ code: `48b8${'2008000000000000'}0f22e0${UD2}`, cr4: NO_UMIP });
    m.run({ maxInstructions: 50 });
    expect(m.getRegister('rip')).toBe(BigInt(handlerAt(6) + 1));
    expect(m.getRegister('cr4')).toBe(0x820n);
  });
});

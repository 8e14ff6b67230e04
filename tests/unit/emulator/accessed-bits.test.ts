import { describe, expect, it } from 'vitest';
import { longMachine } from './long-machine.ts';

const GDT = 0x2000;
/** The access byte of the GDT descriptor a selector names. */
const access = (m: ReturnType<typeof longMachine>, sel: number): number => m.read(GDT + (sel & ~7) + 5, 1)[0];

describe('descriptor accessed bits (SDM Vol. 3A, 3.4.5.1)', () => {
  it.each([
    ['MOV DS', '66b81000 8ed8 f4', {}, [[0x10, 0x93]]],
    ['INT n loads the handler CS', 'cd40', {}, [[0x08, 0x9b]]],
    ['far JMP through memory loads CS', 'ff2c2500000400 f4', { 0x40000: '07000100' + '0800' }, [[0x08, 0x9b]]],
    ['IRETQ to ring 3 loads CS and SS', '6a23 6800800000 6a02 6a2b 6800010100 48cf', { 0x10100: 'ebfe' }, [[0x2b, 0xfb], [0x23, 0xf3]]],
  ] as const)('%s sets the accessed bit of each descriptor it loads', (_name, code, memory, marked) => {
    const m = longMachine({ code, memory: memory as Record<number, string> });
    for (const [sel, byte] of marked) expect(access(m, sel)).toBe(byte & ~1);
    m.run({ maxInstructions: 10 });
    for (const [sel, byte] of marked) expect(access(m, sel)).toBe(byte);
  });
});

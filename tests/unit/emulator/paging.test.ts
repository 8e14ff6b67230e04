import { describe, expect, it } from 'vitest';
import { ACCESS_EXECUTE, ACCESS_READ, ACCESS_USER, ACCESS_WRITE, CpuFault, Machine } from '../../../emulator/index.ts';

const P = 1n;
const RW = 2n;
const US = 4n;
const A = 0x20n;
const D = 0x40n;
const PS = 0x80n;
const XD = 1n << 63n;

function entry(m: Machine, at: number, value: bigint, wide = true): void {
  const b = new Uint8Array(wide ? 8 : 4);
  for (let i = 0; i < b.length; i++) b[i] = Number((value >> BigInt(8 * i)) & 0xffn);
  m.load(at, b);
}

function readEntry(m: Machine, at: number): bigint {
  return m.read(at, 8).reduceRight((acc, x) => (acc << 8n) | BigInt(x), 0n);
}

/** 4-level paging: PML4 0x1000 -> PDPT 0x2000 -> PD 0x3000 -> PT 0x4000; linear 0x400000+ maps via the PT. */
function long64(pte: bigint, { pde = P | RW | US, cr0Wp = false, nxe = true, cr4 = 0x20 } = {}): Machine {
  const m = new Machine({ ramSize: 0x800000 });
  entry(m, 0x1000, 0x2000n | P | RW | US);
  entry(m, 0x2000, 0x3000n | P | RW | US);
  entry(m, 0x3000 + 2 * 8, 0x4000n | pde); // PDE for 0x400000
  entry(m, 0x3000 + 3 * 8, 0x600000n | P | RW | US | PS); // a 2 MiB page at 0x600000
  entry(m, 0x4000 + 5 * 8, pte); // PTE for 0x405000
  m.setRegister('cr3', 0x1000n);
  m.setRegister('cr4', BigInt(cr4));
  m.setRegister('efer', nxe ? 0xd00n : 0x500n);
  m.setRegister('cr0', cr0Wp ? 0x80010033n : 0x80000033n);
  m.usePageTables();
  return m;
}

function outcome(m: Machine, linear: number, access: number): string {
  try {
    return `0x${m.translate(linear, access).toString(16)}`;
  } catch (e) {
    if (e instanceof CpuFault) return `${e.name}(0x${(e.errorCode ?? 0).toString(16)})`;
    throw e;
  }
}

describe('4-level paging', () => {
  it.each([
    ['supervisor read of a present page', P | RW | US, 0x405123, ACCESS_READ, {}, '0x7123'],
    ['not present', 0n, 0x405000, ACCESS_READ, {}, '#PF(0x0)'],
    ['user write to a read-only page', 0x7000n | P | US, 0x405000, ACCESS_WRITE | ACCESS_USER, {}, '#PF(0x7)'],
    ['supervisor write to a read-only page, CR0.WP clear', 0x7000n | P | US, 0x405000, ACCESS_WRITE, {}, '0x7000'],
    ['supervisor write to a read-only page, CR0.WP set', 0x7000n | P | US, 0x405000, ACCESS_WRITE, { cr0Wp: true }, '#PF(0x3)'],
    ['user read of a supervisor page', 0x7000n | P | RW, 0x405000, ACCESS_READ | ACCESS_USER, {}, '#PF(0x5)'],
    ['supervisor page via a supervisor PDE', 0x7000n | P | RW | US, 0x405000, ACCESS_READ | ACCESS_USER, { pde: P | RW }, '#PF(0x5)'],
    ['fetch from an NX page', 0x7000n | P | RW | US | XD, 0x405000, ACCESS_EXECUTE, {}, '#PF(0x11)'],
    ['XD set without EFER.NXE is a reserved bit', 0x7000n | P | RW | US | XD, 0x405000, ACCESS_READ, { nxe: false }, '#PF(0x9)'],
    ['reserved physical-address bit', (1n << 45n) | 0x7000n | P, 0x405000, ACCESS_READ, {}, '#PF(0x9)'],
    ['SMEP: supervisor fetch from a user page', 0x7000n | P | RW | US, 0x405000, ACCESS_EXECUTE, { cr4: 0x20 | (1 << 20) }, '#PF(0x11)'],
    ['a 2 MiB page', 0n, 0x6abcde, ACCESS_READ, {}, '0x6abcde'],
  ] as const)('%s', (_t, pte, linear, access, opts, expected) => {
    const m = long64(0x7000n | pte, opts as Parameters<typeof long64>[1]);
    entry(m, 0x4000 + 5 * 8, pte === 0n ? 0n : 0x7000n | pte);
    expect(outcome(m, linear, access)).toBe(expected);
  });

  it('sets accessed bits on the walk and dirty on a write', () => {
    const m = long64(0x7000n | P | RW | US);
    m.translate(0x405000, ACCESS_READ);
    expect(readEntry(m, 0x4000 + 5 * 8) & (A | D)).toBe(A);
    m.translate(0x405000, ACCESS_WRITE);
    expect(readEntry(m, 0x4000 + 5 * 8) & (A | D)).toBe(A | D);
    expect(readEntry(m, 0x1000) & A).toBe(A);
  });

  it('canonical high addresses index the upper half', () => {
    const m = long64(0n);
    entry(m, 0x1000 + 511 * 8, 0x2000n | P | RW);
    entry(m, 0x2000 + 511 * 8, 0x3000n | P | RW);
    entry(m, 0x3000 + 511 * 8, 0x200000n | P | RW | PS);
    // 0xffffffffffe01000 -> PML4 511, PDPT 511, PD 511, offset 0x1000 in a 2 MiB page.
    expect(outcome(m, -0x1ff000, ACCESS_READ)).toBe('0x201000');
  });
});

describe('32-bit paging', () => {
  it.each([
    ['4 KiB page', false, 0x00405123, '0x7123'],
    ['4 MiB page with CR4.PSE', true, 0x00c12345, '0x812345'],
  ] as const)('%s', (_t, _pse, linear, expected) => {
    const m = new Machine({ ramSize: 0x1000000, mode: 'protected32' });
    entry(m, 0x1000 + 1 * 4, 0x2000n | P | RW, false); // PDE 1 -> PT at 0x2000
    entry(m, 0x2000 + 5 * 4, 0x7000n | P | RW, false);
    entry(m, 0x1000 + 3 * 4, 0x800000n | P | RW | PS, false); // PDE 3: 4 MiB page at 0x800000
    m.setRegister('cr3', 0x1000n);
    m.setRegister('cr4', 0x10n);
    m.setRegister('cr0', 0x80000033n);
    m.usePageTables();
    expect(outcome(m, linear, ACCESS_READ)).toBe(expected);
  });
});

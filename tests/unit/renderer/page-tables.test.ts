import { describe, expect, it } from 'vitest';
import { describeErrorCode, pagingMode, translate, walkPageTables, type PagingRegisters } from '../../../renderer/src/lib/debugger/page-tables.ts';

/** Sparse physical memory: only the pages a test writes exist, the rest reads as zeros. */
class Physical {
  pages = new Map<bigint, Uint8Array>();
  write(address: bigint, value: bigint, size: 4 | 8 = 8): this {
    for (let i = 0; i < size; i++) this.page(address + BigInt(i))[Number((address + BigInt(i)) & 0xfffn)] = Number((value >> BigInt(8 * i)) & 0xffn);
    return this;
  }
  private page(address: bigint): Uint8Array {
    const key = address >> 12n;
    let p = this.pages.get(key);
    if (!p) this.pages.set(key, (p = new Uint8Array(4096)));
    return p;
  }
  read = (address: bigint, length: number): Uint8Array => {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) {
      const a = address + BigInt(i);
      out[i] = this.pages.get(a >> 12n)?.[Number(a & 0xfffn)] ?? 0;
    }
    return out;
  };
}

const P = 1n, RW = 2n, US = 4n, A = 0x20n, D = 0x40n, PS = 0x80n, G = 0x100n, NX = 1n << 63n;
const PG = 1n << 31n, WP = 1n << 16n, PE = 1n;
const long: PagingRegisters = { cr0: PG | WP | PE, cr3: 0x1000n, cr4: 0x20n, efer: 0x500n | 0x800n };
const pae: PagingRegisters = { cr0: PG | WP | PE, cr3: 0x1000n, cr4: 0x20n, efer: 0x800n };
const legacy: PagingRegisters = { cr0: PG | WP | PE, cr3: 0x1000n, cr4: 0x10n, efer: 0n };

/** 4-level: identity 0-8 KiB (user, writable), 2 MiB large page at 0x200000 (kernel, NX), a higher-half page. */
function longTables(): Physical {
  const m = new Physical();
  m.write(0x1000n, 0x2000n | P | RW | US); // PML4[0]
  m.write(0x1000n + 511n * 8n, 0x5000n | P | RW); // PML4[511]
  m.write(0x2000n, 0x3000n | P | RW | US); // PDPT[0]
  m.write(0x3000n, 0x4000n | P | RW | US); // PD[0]
  m.write(0x3000n + 8n, 0x400000n | P | RW | PS | G | NX); // PD[1]: 2 MiB page
  m.write(0x4000n, 0x0n | P | RW | US | A); // PT[0]
  m.write(0x4008n, 0x1000n | P | RW | US | A | D); // PT[1]
  m.write(0x4010n, 0x9000n | P | US); // PT[2]: read-only
  m.write(0x5000n, 0x6000n | P | RW); // PDPT[0]
  m.write(0x6000n, 0x7000n | P | RW); // PD[0]
  m.write(0x7000n, 0x100000n | P | RW); // PT[0]
  return m;
}

describe('pagingMode', () => {
  it.each([
    [{ cr0: PE, cr3: 0n, cr4: 0n, efer: 0n }, 'off'],
    [legacy, '32-bit'],
    [pae, 'pae'],
    [long, '4-level'],
  ] as const)('%o → %s', (regs, mode) => expect(pagingMode(regs)).toBe(mode));
});

describe('walkPageTables', () => {
  it('lists IA-32e mappings coalesced, with effective rights, sign-extended high half', async () => {
    const walk = await walkPageTables(long, longTables().read);
    expect(walk.mode).toBe('4-level');
    expect(walk.truncated).toBe(false);
    expect(walk.mappings.map((m) => [m.linear.toString(16), m.physical.toString(16), m.size.toString(16), m.flags.RW, m.flags.US, m.flags.NX, m.flags.PS])).toEqual([
      ['0', '0', '2000', true, true, false, false],
      ['2000', '9000', '1000', false, true, false, false],
      ['200000', '400000', '200000', true, false, true, true],
      ['ffffff8000000000', '100000', '1000', true, false, false, false],
    ]);
  });

  it('walks PAE tables from the 32-byte aligned PDPT', async () => {
    const m = new Physical();
    m.write(0x1000n + 8n, 0x2000n | P); // PDPT[1] → 0x40000000
    m.write(0x2000n, 0x400000n | P | RW | PS); // 2 MiB at 0x40000000
    m.write(0x2008n, 0x3000n | P | RW | US);
    m.write(0x3000n + 3n * 8n, 0x8000n | P | US | NX);
    const walk = await walkPageTables(pae, m.read);
    expect(walk.mappings.map((x) => [x.linear.toString(16), x.physical.toString(16), x.size.toString(16), x.flags.NX])).toEqual([
      ['40000000', '400000', '200000', false],
      ['40203000', '8000', '1000', true],
    ]);
  });

  it('walks 32-bit tables with a 4 MiB page when CR4.PSE is set', async () => {
    const m = new Physical();
    m.write(0x1000n, 0x2000n | P | RW | US, 4);
    m.write(0x2000n, 0x5000n | P | RW | US, 4);
    m.write(0x2004n, 0x6000n | P | RW | US, 4);
    m.write(0x1000n + 0x300n * 4n, 0x400000n | P | RW | PS | G, 4);
    const walk = await walkPageTables(legacy, m.read);
    expect(walk.mappings.map((x) => [x.linear.toString(16), x.physical.toString(16), x.size.toString(16), x.flags.G])).toEqual([
      ['0', '5000', '2000', false],
      ['c0000000', '400000', '400000', true],
    ]);
    const noPse = await walkPageTables({ ...legacy, cr4: 0n }, m.read);
    expect(noPse.mappings.map((x) => x.size)).toEqual([0x2000n]);
  });

  it('lists a 1 GiB page from a PDPTE with PS, and skips one whose reserved bits are set', async () => {
    const m = new Physical();
    m.write(0x1000n, 0x2000n | P | RW);
    m.write(0x2000n + 8n, 0x40000000n | P | RW | PS | G);
    m.write(0x2000n + 16n, 0x80000000n | P | RW | PS | (1n << 13n));
    const walk = await walkPageTables(long, m.read);
    expect(walk.mappings.map((x) => [x.linear.toString(16), x.physical.toString(16), x.size.toString(16)])).toEqual([['40000000', '40000000', '40000000']]);
    expect(await translate(long, 0x80000000n, { write: false, user: false, fetch: false }, m.read)).toMatchObject({ ok: false, errorCode: 9 });
  });

  it('stops at its table limit and says so', async () => {
    const walk = await walkPageTables(long, longTables().read, { maxTables: 2, maxMappings: 10 });
    expect(walk.truncated).toBe(true);
  });
});

describe('translate', () => {
  const mem = longTables();
  const read = { write: false, user: false, fetch: false };
  it.each([
    ['4 KiB user page', long, 0x1234n, read, { ok: true, physical: 0x1234n, pageSize: 0x1000n }],
    ['2 MiB page', long, 0x2bcdefn, read, { ok: true, physical: 0x4bcdefn, pageSize: 0x200000n }],
    ['high half', long, 0xffffff8000000010n, read, { ok: true, physical: 0x100010n }],
    ['PML4E not present', long, 0x8000000000n, read, { ok: false, errorCode: 0, reason: /PML4E \(index 1\) is not present/ }],
    ['PDPTE not present', long, 0x40000000n, read, { ok: false, errorCode: 0, reason: /PDPTE/ }],
    ['PDE not present', long, 0x400000n, read, { ok: false, errorCode: 0, reason: /PDE/ }],
    ['PTE not present, user write', long, 0x3000n, { write: true, user: true, fetch: false }, { ok: false, errorCode: 6, reason: /PTE/ }],
    ['user read of supervisor page', long, 0x200000n, { write: false, user: true, fetch: false }, { ok: false, errorCode: 5, reason: /supervisor/ }],
    ['write to read-only page', long, 0x2000n, { write: true, user: false, fetch: false }, { ok: false, errorCode: 3, reason: /read-only/ }],
    ['fetch from NX page', long, 0x200000n, { write: false, user: false, fetch: true }, { ok: false, errorCode: 0x11, reason: /no-execute/ }],
    ['non-canonical', long, 0x0000800000000000n, read, { ok: false, errorCode: 0, reason: /not canonical/ }],
  ] as const)('%s', async (_name, regs, linear, access, expected: { ok: boolean; physical?: bigint; pageSize?: bigint; errorCode?: number; reason?: RegExp }) => {
    const t = await translate(regs, linear, access, mem.read);
    expect(t.ok).toBe(expected.ok);
    if (t.ok) {
      expect(t.physical).toBe(expected.physical);
      if (expected.pageSize !== undefined) expect(t.pageSize).toBe(expected.pageSize);
    } else {
      expect(t.errorCode).toBe(expected.errorCode);
      expect(t.reason).toMatch(expected.reason ?? /./);
    }
  });

  it('names every entry it used', async () => {
    const t = await translate(long, 0x1234n, read, mem.read);
    expect(t.steps.map((s) => [s.name, s.index, s.entryAddress])).toEqual([['PML4E', 0, 0x1000n], ['PDPTE', 0, 0x2000n], ['PDE', 0, 0x3000n], ['PTE', 1, 0x4008n]]);
  });

  it.each([
    ['reserved physical bits', 0x4000n | P | (1n << 45n), /reserved physical-address bits/],
    ['XD without EFER.NXE', 0x4000n | P | NX, /EFER.NXE/],
  ])('reserved bits fault with RSVD: %s', async (_n, pde, reason) => {
    const m = longTables().write(0x3000n, pde);
    const t = await translate({ ...long, efer: 0x500n }, 0x1000n, read, m.read);
    expect(t).toMatchObject({ ok: false, errorCode: 9 });
    if (!t.ok) expect(t.reason).toMatch(reason);
  });

  it('a supervisor write to a read-only page succeeds while CR0.WP is clear', async () => {
    const t = await translate({ ...long, cr0: PG | PE }, 0x2000n, { write: true, user: false, fetch: false }, mem.read);
    expect(t.ok).toBe(true);
  });

  it('32-bit: not-present PTE and 4 MiB translation', async () => {
    const m = new Physical();
    m.write(0x1000n, 0x2000n | P | RW | US, 4);
    m.write(0x1000n + 0x300n * 4n, 0x400000n | P | RW | PS, 4);
    expect(await translate(legacy, 0xc0123456n, read, m.read)).toMatchObject({ ok: true, physical: 0x523456n });
    expect(await translate(legacy, 0x5000n, { write: true, user: false, fetch: false }, m.read)).toMatchObject({ ok: false, errorCode: 2 });
  });

  it('PAE: the PDPTE carries no rights', async () => {
    const m = new Physical();
    m.write(0x1000n, 0x2000n | P);
    m.write(0x2000n, 0x3000n | P | RW | US);
    m.write(0x3000n, 0x7000n | P | RW | US);
    expect(await translate(pae, 0x10n, { write: true, user: true, fetch: false }, m.read)).toMatchObject({ ok: true, physical: 0x7010n });
  });

  it.each([[0, 'not present, R, S'], [7, 'P (protection), W, U'], [0x19, 'P (protection), R, S, RSVD, I/D']])('error code %i reads %s', (code, text) =>
    expect(describeErrorCode(code)).toBe(text));
});

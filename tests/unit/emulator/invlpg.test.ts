import { describe, expect, it } from 'vitest';
import { Machine } from '../../../emulator/index.ts';
import { bytes } from './helpers.ts';

const le64 = (v: number): Uint8Array => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(v), true);
  return b;
};

/**
 * 4-level paging with 4 KiB pages: 0..2 MiB identity (PT at 0x4000), 4 MiB..6 MiB through a second
 * PT at 0x5000. Page A (0x100000) maps to 0x100000 and page B (0x401000, another TLB slot) to 0x102000.
 */
function pagedMachine(code: string): Machine {
  const m = new Machine({ ramSize: 0x800000 });
  m.load(0x1000, le64(0x2003));
  m.load(0x2000, le64(0x3003));
  m.load(0x3000, le64(0x4003));
  m.load(0x3010, le64(0x5003));
  for (let p = 0; p < 512; p++) m.load(0x4000 + p * 8, le64(p * 0x1000 + 3));
  m.load(0x5008, le64(0x102003));
  for (const [at, v] of [[0x100000, 0x11], [0x101000, 0x22], [0x102000, 0x33], [0x103000, 0x44]]) m.load(at, le64(v));
  m.load(0x10000, bytes(code));
  m.setRegister('cr3', 0x1000n);
  m.usePageTables();
  m.setRegister('rip', 0x10000n);
  m.setRegister('rsp', 0x9000n);
  return m;
}

// Read A and B (filling the TLB), point A at 0x101000 and B at 0x103000, read A (stale), then
// FLUSH, then read A and B again.
const prime = '488b042500001000 488b042500104000 48c70425004800000310100048c704250850000003301000 488b1c2500001000';
const reread = '488b0c2500001000 488b142500104000 f4';

describe('INVLPG', () => {
  it.each([
    ['INVLPG [A] drops only A: B keeps its stale translation', '0f013c2500001000', 0x22n, 0x33n],
    ['INVLPG [A+0xfff] drops A too', '0f013c25ff0f1000', 0x22n, 0x33n],
    ['INVLPG [B] leaves A stale', '0f013c2500104000', 0x11n, 0x44n],
    ['reloading CR3 drops both', '0f20d80f22d8', 0x22n, 0x44n],
  ])('%s', (_name, flush, a, b) => {
    const m = pagedMachine(prime + flush + reread);
    expect(m.run({ maxInstructions: 20 }).reason).toBe('hlt');
    expect(m.getRegister('rbx')).toBe(0x11n);
    expect(m.getRegister('rcx')).toBe(a);
    expect(m.getRegister('rdx')).toBe(b);
  });

  it('INVLPG of a page that is not mapped does not fault; at CPL 3 it is #GP(0)', () => {
    const m = pagedMachine('0f013c2500000080 f4');
    expect(m.run({ maxInstructions: 5 }).reason).toBe('hlt');
    const user = new Machine({ ramSize: 0x100000, cpl: 3 });
    user.load(0x1000, bytes('0f013c2500100000'));
    user.setRegister('rip', 0x1000n);
    expect(user.run({ maxInstructions: 5 }).message).toMatch(/^#GP\(0x0\): INVLPG is privileged: CPL is 3/);
  });
});

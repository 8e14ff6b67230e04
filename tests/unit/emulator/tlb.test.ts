import { describe, expect, it } from 'vitest';
import { handlerAt, le, longMachine } from './long-machine.ts';

/**
 * 4 KiB pages for the low 2 MiB (PT at 0xa000): the descriptor tables, TSS, kernel stack, page
 * tables and page 0x60000 are supervisor-only, the rest (user code, stack and data) user-accessible.
 */
const PT = 0xa000;
const SUPERVISOR = new Set([0, 1, 2, 3, 4, 5, 6, 8, 9, 0xa, 0x60]);
const pageTables = {
  [0x7000]: le(BigInt(PT | 7), 8),
  [PT]: Array.from({ length: 512 }, (_, p) => le(BigInt(p * 0x1000 + (SUPERVISOR.has(p) ? 3 : 7)), 8)).join(''),
};
const USER_PAGE = 0x50000n;
const PF = 14;

/** The run stopped in the #PF handler (a HLT in ring 0) with CR2 at `address`. */
function expectPageFault(m: ReturnType<typeof longMachine>, address: bigint): void {
  expect(m.getRegister('rip')).toBe(BigInt(handlerAt(PF) + 1));
  expect(m.getRegister('cr2')).toBe(address);
}

describe('TLBs kept per privilege level, invalidated where the architecture says', () => {
  // User: read the page, INT 0x80, read it again. The kernel makes the page supervisor-only first.
  const user = '488b042500000500 cd80 488b1c2500000500 f4';
  const revoke = '48c7042580a2000003000500';

  it.each([
    ['INVLPG', '0f013c2500000500'],
    ['reloading CR3', '0f20d80f22d8'],
  ])('a user translation cached before a kernel entry is dropped by %s in the kernel: the next user read faults', (_name, flush) => {
    const m = longMachine({ code: user, cpl: 3, dpl: { 0x80: 3 }, handlers: { 0x80: `${revoke}${flush}48cf` }, memory: pageTables });
    expect(m.run({ maxInstructions: 50 }).reason).toBe('hlt');
    expectPageFault(m, USER_PAGE);
    expect(m.cpu.cpl).toBe(0);
  });

  it('under CR4.SMAP a supervisor read of a user page allowed by STAC is not cached past CLAC', () => {
    const m = longMachine({ code: '0f01cb 488b042500000500 0f01ca 488b1c2500000500 f4', cr4: '0x200020', memory: pageTables });
    expect(m.run({ maxInstructions: 50 }).reason).toBe('hlt');
    expectPageFault(m, USER_PAGE);
  });

  it('code the kernel ran from a supervisor page cannot be fetched in ring 3 through the kernel-filled code TLB', () => {
    // call 0x60000 (a RET on the supervisor page), then IRETQ to ring 3 at 0x60000.
    const code = 'e8fbff0400 6a23 6800800000 6a02 6a2b 6800000600 48cf';
    const m = longMachine({ code, memory: { ...pageTables, [0x60000]: 'c3' } });
    expect(m.run({ maxInstructions: 50 }).reason).toBe('hlt');
    expectPageFault(m, 0x60000n);
    // The error code says a user-mode access to a present page (P and U/S set).
    expect(m.cpu.mem.readAs(0x9000 - 48, 4, false) & 0x5).toBe(0x5);
  });

  it('a store by the kernel through its own TLB is seen by ring 3 through the user TLB', () => {
    const m = longMachine({
      code: '488b042500000400 cd80 488b0c2500000400 f4',
      cpl: 3,
      dpl: { 0x80: 3 },
      handlers: { 0x80: '48c7042500000400aa000000 48cf' },
      memory: pageTables,
    });
    expect(m.run({ maxInstructions: 50 }).reason).toBe('hlt');
    // The user's HLT is #GP(0), whose handler halts.
    expect(m.getRegister('rip')).toBe(BigInt(handlerAt(13) + 1));
    expect(m.getRegister('rcx')).toBe(0xaan);
  });
});

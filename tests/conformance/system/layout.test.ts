import { describe, expect, it } from 'vitest';
import {
  code32, code64, data, gate32, gate64, longModeGdt, MemoryImage, PageAllocator, PageTables, PTE, protectedModeGdt,
  segmentDescriptor, SysType, type MapFlags, tss32, tss32Descriptor, tss64, tss64Descriptor, toHex, readLe,
} from '../../../emulator/layout/index.ts';

const h = (v: bigint) => '0x' + v.toString(16).padStart(16, '0');

describe('segment descriptors (hand-checked against SDM Vol. 3A Figure 3-8)', () => {
  it.each([
    ['code64 DPL0', code64(0), 0x00af9a000000ffffn],
    ['code64 DPL3', code64(3), 0x00affa000000ffffn],
    ['code32 DPL0', code32(0), 0x00cf9a000000ffffn],
    ['code32 DPL3', code32(3), 0x00cffa000000ffffn],
    ['data DPL0', data(0), 0x00cf92000000ffffn],
    ['data DPL3', data(3), 0x00cff2000000ffffn],
    ['code64 DPL0 not present', code64(0, { present: false }), 0x00af1a000000ffffn],
    ['conforming code64 DPL3', code64(3, { conforming: true }), 0x00affe000000ffffn],
    ['read-only data DPL0', data(0, { writable: false }), 0x00cf90000000ffffn],
    ['16-bit data, byte granular, base 0x12345678 limit 0xffff', segmentDescriptor({ type: 2, dpl: 0, base: 0x12345678, limit: 0xffff }), 0x12009234_5678ffffn],
    ['expand-down data DPL0', data(0, { expandDown: true }), 0x00cf96000000ffffn],
  ])('%s', (_name, got, want) => expect(h(got)).toBe(h(want)));

  it('rejects a base beyond 32 bits with a message naming the field', () => {
    expect(() => segmentDescriptor({ type: 2, dpl: 0, base: 0x1_0000_0000 })).toThrow(/descriptor base: 0x100000000/);
  });
});

describe('system descriptors and gates (SDM Vol. 3A Figures 7-4, 6-2, 6-8)', () => {
  it.each([
    ['TSS64 at 0x8000', tss64Descriptor(0x8000), [0x0000890080000067n, 0n]],
    ['busy TSS64 at 0xffffffff81000000', tss64Descriptor(0xffffffff81000000n, { busy: true }), [0x81008b0000000067n, 0xffffffffn]],
    ['64-bit interrupt gate IST1', gate64({ offset: 0xffffffff81234567n, selector: 8, ist: 1 }), [0x81238e0100084567n, 0xffffffffn]],
    ['64-bit trap gate DPL3 not present', gate64({ offset: 0x10000, selector: 8, kind: 'trap', dpl: 3, present: false }), [0x00016f0000080000n, 0n]],
  ])('%s', (_name, got, want) => expect((got as bigint[]).map(h)).toEqual((want as bigint[]).map(h)));

  it.each([
    ['TSS32 at 0x8000', tss32Descriptor(0x8000), 0x0000890080000067n],
    ['32-bit trap gate DPL3', gate32({ offset: 0x00101234, selector: 8, kind: 'trap', dpl: 3 }), 0x0010ef0000081234n],
    ['32-bit interrupt gate DPL0', gate32({ offset: 0x12345678, selector: 0x08 }), 0x12348e0000085678n],
    ['call gate with 2 parameters', gate32({ offset: 0x2000, selector: 0x08, kind: 'call', dpl: 3, paramCount: 2 }), 0x0000ec0200082000n],
    ['task gate', gate32({ selector: 0x28, kind: 'task' }), 0x0000850000280000n],
  ])('%s', (_name, got, want) => expect(h(got)).toBe(h(want)));

  it('rejects an IST index above 7', () => {
    expect(() => gate64({ offset: 0, selector: 8, ist: 8 })).toThrow(/gate IST/);
  });
  it('system types', () => expect([SysType.tssAvailable, SysType.tssBusy, SysType.interruptGate, SysType.trapGate]).toEqual([9, 11, 14, 15]));
});

describe('TSS images', () => {
  it('TSS64 places RSP0..2, IST1..7 and the I/O map base', () => {
    const t = tss64({ rsp: [0x7000, 0x6000], ist: [0x5000, 0, 0, 0, 0, 0, 0x4000], iopbOffset: 0x68 });
    expect([readLe(t, 4, 8), readLe(t, 12, 8), readLe(t, 0x24, 8), readLe(t, 0x54, 8), readLe(t, 0x66, 2)]).toEqual([0x7000n, 0x6000n, 0x5000n, 0x4000n, 0x68n]);
    expect(t.length).toBe(0x68);
  });
  it('TSS32 places SS0:ESP0 and the saved registers', () => {
    const t = tss32({ ss0: 0x10, esp0: 0x9000, cr3: 0x1000, eip: 0x1234, ldt: 0x38 });
    expect([readLe(t, 4, 4), readLe(t, 8, 2), readLe(t, 0x1c, 4), readLe(t, 0x20, 4), readLe(t, 0x60, 2)]).toEqual([0x9000n, 0x10n, 0x1000n, 0x1234n, 0x38n]);
  });
  it('rejects an eighth IST', () => expect(() => tss64({ ist: [1, 2, 3, 4, 5, 6, 7, 8] })).toThrow(/IST7/));
});

describe('standard GDTs', () => {
  it('long mode GDT is SYSRET-compatible', () => {
    const g = longModeGdt(0x8000);
    const at = (i: number) => h(readLe(g, i * 8, 8));
    expect([at(1), at(2), at(3), at(4), at(5), at(6), at(7)]).toEqual(
      [0x00af9a000000ffffn, 0x00cf92000000ffffn, 0x00cffa000000ffffn, 0x00cff2000000ffffn, 0x00affa000000ffffn, 0x0000890080000067n, 0n].map(h));
  });
  it('protected mode GDT', () => {
    const g = protectedModeGdt(0x9000);
    expect(h(readLe(g, 0x28, 8))).toBe(h(0x0000890090000067n));
    expect(g.length).toBe(48);
  });
});

describe('page tables', () => {
  it.each([
    ['ia32e 4K supervisor', 'ia32e' as const, {}, [[4, 0x2007n], [3, 0x3007n], [2, 0x4007n], [1, 0x5003n]]],
    ['ia32e 4K user NX read-only', 'ia32e' as const, { user: true, nx: true, writable: false }, [[1, 0x8000000000005005n]]],
    ['ia32e 2M', 'ia32e' as const, { pageSize: '2m' as const }, [[2, 0x0083n]]],
    ['pae 4K: PDPTE carries only P', 'pae' as const, {}, [[3, 0x2001n], [2, 0x3007n], [1, 0x5003n]]],
    ['legacy32 4M', 'legacy32' as const, { pageSize: '4m' as const, user: true }, [[2, 0x0087n]]],
  ])('%s', (_name, mode, flags: MapFlags, want) => {
    const mem = new MemoryImage();
    const pt = new PageTables(mem, mode, new PageAllocator(0x1000, 0x10000));
    pt.map(flags.pageSize ? 0 : 0x5000, flags.pageSize ? 0 : 0x5000, flags);
    const lin = flags.pageSize ? 0 : 0x5000;
    for (const [level, value] of want as [1 | 2 | 3 | 4, bigint][]) expect(h(pt.entry(lin, level)!.value)).toBe(h(value));
  });
  it('edits one entry and identity maps a range', () => {
    const mem = new MemoryImage();
    const pt = new PageTables(mem, 'legacy32', new PageAllocator(0x1000, 0x10000)).identityMap(0, 0x4000, { user: true });
    const addr = pt.edit(0x3000, 1, (v) => v & ~PTE.P);
    expect(addr).toBe(0x2000 + 3 * 4);
    expect(mem.readU32(addr)).toBe(0x3006);
  });
  it('rejects 4 MiB pages in IA-32e', () => {
    expect(() => new PageTables(new MemoryImage(), 'ia32e', new PageAllocator(0x1000, 0x10000)).map(0, 0, { pageSize: '4m' })).toThrow(/4 MiB/);
  });
});

describe('memory image', () => {
  it('emits non-zero runs as scenario entries', () => {
    const m = new MemoryImage().writeU32(0x1000, 0x11223344).writeU8(0x1006, 0xaa).writeU8(0x2000, 1);
    expect(m.entries()).toEqual([{ addr: '0x1000', hex: '443322110000aa' }, { addr: '0x2000', hex: '01' }]);
  });
  it('rejects writes beyond RAM', () => expect(() => new MemoryImage(0x1000).writeU32(0xffe, 1)).toThrow(/outside RAM/));
  it('hex', () => expect(toHex(Uint8Array.of(0, 255))).toBe('00ff'));
});

/**
 * The harness as an oracle: hand-written cases whose outcome the SDM fixes, run on the host CPU.
 * If these fail, the harness (not the emulator) is wrong.
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHarness, compileC, HARNESS_SOURCE, hostUnavailable, type HostHarness } from './host.ts';
import { CODE_ADDR, DATA_ADDR, GPR_NAMES, SIMD_IMAGE_SIZE, STACK_TOP, type GprName, type NativeCase, type NativeOutcome } from './types.ts';

const reason = hostUnavailable();

function makeCase(id: string, code: string, regs: Partial<Record<GprName, bigint>> = {}, rflags = 0x202n, data = '00'.repeat(64)): NativeCase {
  const all = Object.fromEntries(GPR_NAMES.map((n) => [n, `0x${(regs[n] ?? (n === 'rsp' ? STACK_TOP : 0n)).toString(16)}`])) as NativeCase['regs'];
  return { id, family: 'harness', text: id, code, regs: all, rflags: `0x${rflags.toString(16)}`, data, undefinedFlags: '0x0' };
}

const hex = (v: bigint) => `0x${v.toString(16)}`;

/** A case with SIMD state: XMMn holds sixteen bytes of n+1, MXCSR and FCW as given. */
function simdCase(id: string, code: string, regs: Partial<Record<GprName, bigint>>, mxcsr = 0x1f80, data = '00'.repeat(64)): NativeCase {
  const image = Buffer.alloc(SIMD_IMAGE_SIZE);
  image.writeUInt16LE(0x37f, 0);
  image.writeUInt32LE(mxcsr, 24);
  image.writeUInt32LE(0xffff, 28);
  for (let r = 0; r < 16; r++) image.fill(r + 1, 160 + 16 * r, 176 + 16 * r);
  return { ...makeCase(id, code, regs, 0x202n, data), simd: image.toString('hex') };
}
const D = DATA_ADDR;

// [name, case, what the outcome must show]
const table: [string, NativeCase, (o: NativeOutcome) => void][] = [
  ['add eax, ebx zero-extends and sets CF ZF PF AF', makeCase('add', '01d8', { rax: 0xffffffff_ffffffffn, rbx: 1n }), (o) => {
    expect(o.regs.rax).toBe('0x0');
    expect(BigInt(o.rflags) & 0x8d5n).toBe(0x55n);
  }],
  ['div rcx by zero: #DE at the DIV, registers untouched', makeCase('div0', '90' + '48f7f1', { rax: 5n }), (o) => {
    expect([o.fault, o.faultRip]).toEqual(['#DE', hex(CODE_ADDR + 1n)]);
    expect(o.regs.rax).toBe('0x5');
  }],
  ['ud2: #UD', makeCase('ud2', '0f0b'), (o) => expect([o.fault, o.faultRip]).toEqual(['#UD', hex(CODE_ADDR)])],
  ['int3: #BP, RIP after the trap', makeCase('int3', 'cc'), (o) => expect([o.fault, o.faultRip]).toEqual(['#BP', hex(CODE_ADDR + 1n)])],
  ['load from an unmapped page: #PF', makeCase('pf', '488b03', { rbx: 0x40000000n }), (o) => expect(o.fault).toBe('#PF')],
  ['load from a non-canonical address: #GP', makeCase('gp', '488b03', { rbx: 0x8000_0000_0000_0000n }), (o) => expect(o.fault).toBe('#GP')],
  ['RSP-based load from a non-canonical address: #SS', makeCase('ss', '488b0424', { rsp: 0x8000_0000_0000_0000n }), (o) => expect(o.fault).toBe('#SS')],
  ['hlt at CPL 3: #GP', makeCase('hlt', 'f4'), (o) => expect(o.fault).toBe('#GP')],
  ['push with RSP in the data page writes the data page and leaves RSP moved', makeCase('push', '50', { rax: 0x1122334455667788n, rsp: D + 16n }), (o) => {
    expect(o.regs.rsp).toBe(hex(D + 8n));
    expect(o.data.slice(16, 32)).toBe('8877665544332211');
  }],
  ['pushfq pushes IF=1 and the status flags', makeCase('pushf', '9c', { rsp: D + 16n }, 0x2d7n), (o) => expect(o.data.slice(16, 20)).toBe('d702')],
  ['popfq cannot clear IF or set IOPL in user mode', makeCase('popf', '9d', { rsp: D }, 0x202n, '0230' + '00'.repeat(62)), (o) => {
    expect(BigInt(o.rflags) & 0x3200n).toBe(0x200n);
  }],
  ['popfq setting AC, then an unaligned load: #AC', makeCase('ac', '9d' + '8b4301', { rsp: D, rbx: D + 8n }, 0x202n, '02020400' + '00'.repeat(60)), (o) => {
    expect([o.fault, o.faultRip]).toEqual(['#AC', hex(CODE_ADDR + 1n)]);
  }],
  ['movaps from a misaligned address: #GP, XMM0 untouched', simdCase('movaps', '0f2803', { rbx: D + 8n }), (o) => {
    expect([o.fault, o.faultRip]).toEqual(['#GP', hex(CODE_ADDR)]);
    expect(o.simd?.xmm0).toBe('01'.repeat(16));
  }],
  ['movdqu from a misaligned address loads 16 bytes', simdCase('movdqu', 'f30f6f0b', { rbx: D + 1n }, 0x1f80, '00' + 'ab'.repeat(16) + '00'.repeat(47)), (o) => {
    expect(o.fault).toBeUndefined();
    expect(o.simd?.xmm1).toBe('ab'.repeat(16));
  }],
  ['stmxcsr stores the MXCSR the case set', simdCase('stmxcsr', '0fae1b', { rbx: D }, 0x7f80), (o) => expect(o.data.slice(0, 8)).toBe('807f0000')],
  ['addps MAX+MAX with OM clear: #XM at the ADDPS with OE alone, XMM0 as loaded', simdCase('xm', '0f1003' + '0f58c0', { rbx: D }, 0x1b80, 'ffff7f7f'.repeat(4) + '00'.repeat(48)), (o) => {
    expect([o.fault, o.faultRip]).toEqual(['#XM', hex(CODE_ADDR + 3n)]);
    expect(o.simd?.mxcsr).toBe('881b0000');
    expect(o.simd?.xmm0).toBe('ffff7f7f'.repeat(4));
  }],
  ['std survives to the recorded RFLAGS', makeCase('std', 'fd'), (o) => expect(BigInt(o.rflags) & 0x400n).toBe(0x400n)],
  ['the data page is reset between cases', makeCase('fresh', '488b03', { rbx: D + 64n }), (o) => expect(o.regs.rax).toBe('0x0')],
  ['every GPR round-trips', makeCase('regs', '90', Object.fromEntries(GPR_NAMES.map((n, i) => [n, n === 'rsp' ? STACK_TOP : 0x0101010101010101n * BigInt(i + 1)]))), (o) => {
    GPR_NAMES.forEach((n, i) => expect(BigInt(o.regs[n])).toBe(n === 'rsp' ? STACK_TOP : 0x0101010101010101n * BigInt(i + 1)));
  }],
];

describe.skipIf(reason !== null)(`the host harness${reason ? ` (skipped: ${reason})` : ''}`, () => {
  let harness: HostHarness;
  let outcomes: Map<string, NativeOutcome>;

  beforeAll(() => {
    harness = buildHarness();
    // A store to the data page first, so the 'fresh' case proves the page is zeroed again.
    const cases = [makeCase('dirty', '48890b', { rbx: D + 64n, rcx: 0xdeadn }), ...table.map(([, c]) => c)];
    outcomes = new Map(harness.run(cases).map((o, i) => [cases[i].id, o]));
  });
  afterAll(() => harness?.dispose());

  it.each(table)('%s', (_name, c, check) => {
    check(outcomes.get(c.id)!);
  });

  it.each([
    ['a short line', 'x 90 1 2\n', 'line 1: expected 20 fields'],
    ['odd-length code', `x 9 ${'0 '.repeat(16)}202 -\n`, 'line 1: malformed or oversized code'],
    ['a bad register', `x 90 zz ${'0 '.repeat(15)}202 -\n`, 'line 1: malformed register value'],
  ])('rejects %s with a message naming the line', (_what, input, message) => {
    const { binary, dir } = compileC(HARNESS_SOURCE, 'harness-errors');
    try {
      const run = spawnSync(binary, [], { input, encoding: 'utf8' });
      expect(run.status).toBe(2);
      expect(run.stderr).toContain(message);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

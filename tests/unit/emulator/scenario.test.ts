import { describe, expect, it } from 'vitest';
import { parseScenario, runScenario } from '../../../emulator/index.ts';

/** A minimal valid long64 scenario: flat GDT, 2 MiB identity page, code at 0x10000. */
function base(code = '4883c007f4'): Record<string, unknown> {
  return {
    format: 'switchyard-scenario/1',
    name: 'basic',
    ramSize: '0x400000',
    cpu: {
      mode: 'long64',
      regs: { rax: '0x5', rsp: '0x7000', rip: '0x10000', rflags: '0x2' },
      cr0: '0x80000033', cr3: '0x1000', cr4: '0x20', efer: '0x500',
      gdtr: { base: '0x2000', limit: '0x3f' },
      idtr: { base: '0x3000', limit: '0xfff' },
      seg: { cs: '0x8', ss: '0x10', ds: '0x10', es: '0x10', fs: '0x0', gs: '0x0', tr: '0x30', ldtr: '0x0' },
    },
    memory: [
      { addr: '0x10000', hex: code },
      // null, code64 (0x08), data (0x10), 0x18, 0x20, 0x28 unused, TSS (0x30, 16 bytes, available)
      { addr: '0x2000', hex: '0000000000000000' + 'ffff0000009aaf00' + 'ffff00000092cf00' + '0'.repeat(48) + '6700005000890000' + '0000000000000000' },
      { addr: '0x1000', hex: '0340000000000000' },
      { addr: '0x4000', hex: '0350000000000000' },
      { addr: '0x5000', hex: '8300000000000000' },
    ],
    dump: [{ addr: '0x2030', len: '0x8' }],
  };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests reach into arbitrary JSON to break it
type Loose = Record<string, any>;

function edit(mutate: (s: Loose) => void): Record<string, unknown> {
  const s = structuredClone(base()) as Loose;
  mutate(s);
  return s;
}

describe('parseScenario rejects malformed input with the field path', () => {
  it.each([
    ['not an object', () => [] as unknown, '(top level): expected an object, got an array'],
    ['wrong format', () => edit((s) => (s.format = 'switchyard-scenario/2')), 'format: expected "switchyard-scenario/1", got "switchyard-scenario/2"'],
    ['unknown top-level field', () => edit((s) => (s.extra = 1)), 'extra: unknown field (expected one of: format, name, ramSize, cpu, memory, limits, dump)'],
    ['register not hex', () => edit((s) => (s.cpu.regs.rax = '12')), 'cpu.regs.rax: expected a 0x-prefixed hex string, got "12"'],
    ['register as a number', () => edit((s) => (s.cpu.regs.rbx = 12)), 'cpu.regs.rbx: expected a 0x-prefixed hex string, got number 12'],
    ['register typo', () => edit((s) => (s.cpu.regs.rxa = '0x1')), 'cpu.regs.rxa: unknown field (expected one of: rax, rbx, rcx, rdx, rsi, rdi, rbp, rsp, r8, r9, r10, r11, r12, r13, r14, r15, rip, rflags)'],
    ['value too wide', () => edit((s) => (s.cpu.regs.rax = '0x10000000000000000')), 'cpu.regs.rax: 0x10000000000000000 does not fit in 64 bits'],
    ['bad mode', () => edit((s) => (s.cpu.mode = 'real')), 'cpu.mode: expected "long64" or "protected32", got "real"'],
    ['missing cpu', () => edit((s) => delete s.cpu), 'cpu: required field is missing'],
    ['missing cs', () => edit((s) => delete s.cpu.seg.cs), 'cpu.seg.cs: required field is missing'],
    ['long64 without paging', () => edit((s) => (s.cpu.cr0 = '0x33')), 'cpu.cr0: mode long64 needs CR0.PG (bit 31) set, got 0x33'],
    ['long64 without PAE', () => edit((s) => (s.cpu.cr4 = '0x0')), 'cpu.cr4: mode long64 needs CR4.PAE (bit 5) set, got 0x0'],
    ['long64 without LMA', () => edit((s) => (s.cpu.efer = '0x100')), 'cpu.efer: mode long64 needs EFER.LME (bit 8) and EFER.LMA (bit 10) set, got 0x100'],
    ['protected32 with LMA', () => edit((s) => Object.assign(s.cpu, { mode: 'protected32', cr0: '0x33', cr4: '0x0', efer: '0x500', regs: { rip: '0x10000' } })), 'cpu.efer: mode protected32 needs EFER.LMA (bit 10) clear, got 0x500'],
    ['protected32 with a wide register', () => edit((s) => Object.assign(s.cpu, { mode: 'protected32', cr0: '0x33', cr4: '0x0', efer: '0x0', regs: { rax: '0x100000000' } })), 'cpu.regs.rax: in protected32 the upper 32 bits must be zero, got 0x100000000'],
    ['fsBase in protected32', () => edit((s) => Object.assign(s.cpu, { mode: 'protected32', cr0: '0x33', cr4: '0x0', efer: '0x0', regs: {}, fsBase: '0x0' })), 'cpu.fsBase: only allowed in mode long64'],
    ['rflags bit 1 clear', () => edit((s) => (s.cpu.regs.rflags = '0x0')), 'cpu.regs.rflags: bit 1 of RFLAGS is reserved and must be set, got 0x0'],
    ['odd hex bytes', () => edit((s) => (s.memory[0].hex = 'abc')), 'memory[0].hex: expected hex digits in pairs (no 0x prefix), got "abc"'],
    ['memory beyond ram', () => edit((s) => s.memory.push({ addr: '0x3fffff', hex: '0102' })), 'memory[5]: 2 bytes at 0x3fffff go beyond ramSize 0x400000'],
    ['ramSize not page sized', () => edit((s) => (s.ramSize = '0x1234')), 'ramSize: expected a non-zero multiple of 0x1000 no larger than 0x100000000, got 0x1234'],
    ['memory not an array', () => edit((s) => (s.memory = {})), 'memory: expected an array, got an object'],
    ['dump entry field', () => edit((s) => (s.dump = [{ addr: '0x0', size: '0x1' }])), 'dump[0].size: unknown field (expected one of: addr, len)'],
    ['limit register too wide', () => edit((s) => (s.cpu.gdtr.limit = '0x10000')), 'cpu.gdtr.limit: 0x10000 does not fit in 16 bits'],
    ['msr typo', () => edit((s) => (s.cpu.msr = { lstra: '0x0' })), 'cpu.msr.lstra: unknown field (expected one of: star, lstar, cstar, sfmask, sysenterCs, sysenterEsp, sysenterEip)'],
  ])('%s', (_name, input, message) => {
    expect(() => parseScenario(input())).toThrow(message);
  });
});

describe('runScenario', () => {
  it('runs to HLT and reports the documented result format', () => {
    const r = runScenario(parseScenario(base()));
    expect(r.format).toBe('switchyard-result/1');
    expect(r.stop).toBe('hlt');
    expect(r.instructions).toBe('0x2');
    const cpu = r.cpu as { mode: string; cpl: string; regs: Record<string, string>; seg: Record<string, string> };
    expect(cpu.mode).toBe('long64');
    expect(cpu.cpl).toBe('0x0');
    expect(cpu.regs.rax).toBe('0xc');
    expect(cpu.regs.rip).toBe('0x10005');
    expect(Object.keys(cpu.regs)).toEqual(['rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15', 'rip', 'rflags']);
    expect(cpu.seg).toEqual({ es: '0x10', cs: '0x8', ss: '0x10', ds: '0x10', fs: '0x0', gs: '0x0', tr: '0x30', ldtr: '0x0' });
    // TR's TSS descriptor is marked busy (type 9 -> 0xb).
    expect(r.memory).toEqual([{ addr: '0x2030', hex: '67000050008b0000' }]);
  });

  it('stops at the instruction limit', () => {
    const r = runScenario(parseScenario({ ...base('ebfe'), limits: { maxInstructions: '0x10' } }));
    expect(r.stop).toBe('limit');
    expect(r.instructions).toBe('0x10');
  });

  it('reports a descriptor problem as an input error naming the segment', () => {
    const s = edit((x) => (x.cpu.seg.ds = '0x40'));
    expect(() => runScenario(parseScenario(s))).toThrow('cpu.seg.ds: loading DS with 0x40: selector 0x40 is beyond the GDT limit 0x3f');
  });

  it('refuses a TR that does not name a TSS', () => {
    const s = edit((x) => (x.cpu.seg.tr = '0x10'));
    expect(() => runScenario(parseScenario(s))).toThrow('cpu.seg.tr: selector 0x10 names a code or data descriptor, not a TSS');
  });
});

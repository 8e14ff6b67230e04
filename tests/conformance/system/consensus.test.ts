import { describe, expect, it } from 'vitest';
import { code64, data, descriptorBytes, gate64, MemoryImage, tss64Descriptor, toHex } from '../../../emulator/layout/index.ts';
import { compareResults } from './compare.ts';
import { buildConsensus } from './consensus.ts';
import { withRfOnFault } from './decisions.ts';
import { scenarioMemory, segmentCaches } from './oracles/machine-state.ts';
import type { Result, ResultCpu, Scenario } from './scenario-types.ts';

const regs = (o: Partial<Record<string, string>> = {}) => ({
  rax: '0x0', rbx: '0x0', rcx: '0x0', rdx: '0x0', rsi: '0x0', rdi: '0x0', rbp: '0x0', rsp: '0x5ffd0',
  r8: '0x0', r9: '0x0', r10: '0x0', r11: '0x0', r12: '0x0', r13: '0x0', r14: '0x0', r15: '0x0',
  rip: '0x2300e', rflags: '0x2', ...o,
});

function result(o: { mode?: 'long64' | 'compat32' | 'protected32'; regs?: Partial<Record<string, string>>; mem?: string; stop?: Result['stop']; msr?: Record<string, string> } = {}): Result {
  return {
    format: 'switchyard-result/1', stop: o.stop ?? 'hlt', instructions: '0x0',
    cpu: {
      mode: o.mode ?? 'long64', cpl: '0x0', regs: regs(o.regs) as ResultCpu['regs'],
      cr0: '0x80050033', cr2: '0x0', cr3: '0x1000', cr4: '0x20', efer: '0xd01',
      gdtr: { base: '0x20000', limit: '0xd7' }, idtr: { base: '0x21000', limit: '0xfff' },
      seg: { cs: '0x8', ss: '0x10', ds: '0x10', es: '0x10', fs: '0x0', gs: '0x0', tr: '0x30', ldtr: '0x0' },
      fsBase: '0x0', gsBase: '0x0', kernelGsBase: '0x0', msr: o.msr ?? {},
    },
    memory: [{ addr: '0x5ffc0', hex: o.mem ?? '00'.repeat(0x40) }],
  };
}

/** A #GP frame at 0x5ffd0: error code, RIP, CS, RFLAGS, RSP, SS (8 bytes each). */
function frame(rip: bigint, rflags: bigint): string {
  const w = (v: bigint) => toHex(Uint8Array.from({ length: 8 }, (_, i) => Number((v >> BigInt(8 * i)) & 0xffn)));
  return '00'.repeat(16) + [0n, rip, 8n, rflags, 0x60000n, 0x10n].map(w).join('');
}

const scenario = (name: string, code: string): Scenario => ({
  format: 'switchyard-scenario/1', name,
  cpu: {
    mode: 'long64', regs: regs({ rip: '0x30000', rsp: '0x60000' }) as Scenario['cpu']['regs'],
    cr0: '0x80050033', cr3: '0x1000', cr4: '0x20', efer: '0xd01',
    gdtr: { base: '0x20000', limit: '0x3f' }, idtr: { base: '0x21000', limit: '0xfff' },
    seg: { cs: '0x8', ss: '0x10', ds: '0x10', es: '0x10', fs: '0x0', gs: '0x0', tr: '0x30', ldtr: '0x0' },
  },
  memory: [{ addr: '0x30000', hex: code }],
});

describe('compareResults', () => {
  it.each([
    ['identical', result(), result(), []],
    ['different RAX', result(), result({ regs: { rax: '0x1' } }), ['regs.rax']],
    ['upper RAX half ignored in protected mode', result({ mode: 'protected32' }), result({ mode: 'protected32', regs: { rax: '0x100000000' } }), []],
    ['upper RAX half ignored in compatibility mode', result({ mode: 'compat32' }), result({ mode: 'compat32', regs: { rax: '0x100000000', r9: '0x5' } }), []],
    ['R9 compared in 64-bit mode', result(), result({ regs: { r9: '0x5' } }), ['regs.r9']],
    ['memory', result(), result({ mem: '01' + '00'.repeat(0x3f) }), ['memory[0x5ffc0]']],
    ['MSR absent on one side is not compared', result({ msr: { star: '0x1' } }), result(), []],
    ['MSR present on both is compared', result({ msr: { star: '0x1' } }), result({ msr: { star: '0x2' } }), ['msr.star']],
    ['after a triple fault only the stop', result({ stop: 'triple-fault' }), { ...result({ regs: { rax: '0x9' } }), stop: 'triple-fault' as const }, []],
    ['stop reason', result(), result({ stop: 'limit' }), ['stop']],
  ])('%s', (_name, a, b, fields) => {
    expect(compareResults(a, b).map((d) => d.field)).toEqual(fields);
  });
});

describe('withRfOnFault (SDM Vol. 3B §17.3.1.1)', () => {
  it('sets RF in the frame of a fault-class exception', () => {
    const s = scenario('x/ud', '0f0b');
    const fixed = withRfOnFault(s, result({ mem: frame(0x30000n, 0x246n) }));
    expect(fixed.memory![0].hex).toBe(frame(0x30000n, 0x10246n));
  });
  it('leaves a software INT n of the same vector alone', () => {
    const s = scenario('x/int', 'cd0d');
    const r = result({ mem: frame(0x30002n, 0x246n) });
    expect(withRfOnFault(s, r)).toEqual(r);
  });
  it('leaves trap-class vectors alone (#BP)', () => {
    const r = result({ regs: { rip: '0x23004', rsp: '0x5ffd8' }, mem: frame(0x30001n, 0x246n) });
    expect(withRfOnFault(scenario('x/bp', 'cc'), r)).toEqual(r);
  });
});

describe('buildConsensus', () => {
  const s = scenario('x/ud', '0f0b');
  it.each([
    ['agreement', { kvm: result(), qemu: result() }, 'agree:kvm,qemu'],
    ['only QEMU ran', { qemu: result() }, 'only:qemu'],
    ['RF differs: the SDM sides with KVM', { kvm: result({ mem: frame(0x30000n, 0x10246n) }), qemu: result({ mem: frame(0x30000n, 0x246n) }) }, 'decision:rf-on-fault'],
    ['an unexplained difference stays undecided', { kvm: result({ regs: { rbx: '0x1' } }), qemu: result() }, 'undecided'],
    ['no oracle ran', {}, 'undecided'],
  ])('%s', (_name, byOracle, source) => {
    const recorded = Object.fromEntries(Object.entries(byOracle).map(([o, r]) => [o, [{ name: s.name, result: r }]]));
    const [entry] = buildConsensus([s], recorded);
    expect(entry.source).toBe(source);
    expect(!!entry.result).toBe(source !== 'undecided');
  });
  it('merges the MSRs KVM read into an agreed result', () => {
    const [entry] = buildConsensus([s], { kvm: [{ name: s.name, result: result({ msr: { star: '0x5' } }) }], qemu: [{ name: s.name, result: result() }] });
    expect(entry.result!.cpu!.msr.star).toBe('0x5');
  });
});

describe('segment caches for KVM (a far load without privilege checks)', () => {
  const mem = new MemoryImage();
  [0n, code64(0), data(3), tss64Descriptor(0x8000)].forEach((d, i) => mem.write(0x20000 + i * 8, descriptorBytes(d)));
  mem.write(0x21000, descriptorBytes(gate64({ offset: 0x23000, selector: 8 })));
  const s = scenario('x/caches', 'f4');
  s.cpu.cr0 = '0x11';
  s.cpu.cr3 = '0x0'; s.cpu.cr4 = '0x0'; s.cpu.efer = '0x0'; s.cpu.mode = 'protected32';
  s.cpu.seg = { cs: '0x8', ss: '0x13', ds: '0x13', es: '0x0', fs: '0x0', gs: '0x0', tr: '0x18', ldtr: '0x0' };
  s.memory = mem.entries();
  const image = scenarioMemory(s);
  const caches = segmentCaches(s, image);
  it.each([
    ['cs', { type: 0xb, s: 1, dpl: 0, l: 1, limit: 0xffffffff, present: 1, unusable: 0 }],
    ['ss', { type: 0x3, s: 1, dpl: 3, db: 1, limit: 0xffffffff, present: 1, unusable: 0 }],
    ['es', { unusable: 1, present: 0 }],
    ['tr', { type: 0xb, s: 0, base: 0x8000n, limit: 0x67 }],
  ])('%s', (name, want) => {
    expect(caches[name as 'cs']).toMatchObject(want);
  });
  it('marks the TSS busy in memory', () => {
    expect((image.read(0x20000 + 0x18 + 5, 1)[0] & 0xf).toString(16)).toBe('b');
  });
  it('rejects a TR that names no TSS, naming the field', () => {
    const bad = structuredClone(s);
    bad.cpu.seg.tr = '0x10';
    expect(() => segmentCaches(bad, scenarioMemory(bad))).toThrow(/cpu\.seg\.tr/);
  });
});

import { describe, expect, it } from 'vitest';
import { Machine, parseScenario } from '../../../emulator/index.ts';
import { setUpScenario } from '../../../emulator/scenario/run.ts';
import { bytes, toHex } from './helpers.ts';

const HANDLERS = 0x20000;
const CODE = 0x10000;
const KERNEL_STACK = 0x9000;
const IST1_STACK = 0xa000;

const le = (v: bigint, n: number): string => toHex(Uint8Array.from({ length: n }, (_, i) => Number((v >> BigInt(8 * i)) & 0xffn)));

/** A 64-bit interrupt (type 0xe) or trap (0xf) gate to HANDLERS + vector. */
function gate(vector: number, dpl = 0, type = 0xe, ist = 0, present = true): string {
  const off = BigInt(HANDLERS + vector);
  const attr = (present ? 0x80 : 0) | (dpl << 5) | type;
  return le(off & 0xffffn, 2) + le(0x08n, 2) + le(BigInt(ist), 1) + le(BigInt(attr), 1) + le((off >> 16n) & 0xffffn, 2) + le(off >> 32n, 4) + '00000000';
}

interface Options {
  code: string;
  cpl?: 0 | 3;
  regs?: Record<string, string>;
  idt?: (v: number) => string;
  idtLimit?: string;
  msr?: Record<string, string>;
  efer?: string;
  pageFlags?: number;
}

/** A long64 machine with a flat GDT, a TSS (RSP0, IST1), an IDT whose handlers are HLTs at HANDLERS + vector, and one 2 MiB identity page. */
function machine(o: Options): Machine {
  const gdt = ['0000000000000000', 'ffff0000009aaf00', 'ffff00000092cf00', 'ffff000000facf00', 'ffff000000f2cf00', 'ffff000000faaf00', '6700005000890000', '0000000000000000'].join('');
  // TSS: RSP0 at offset 4, IST1 at offset 0x24.
  const tss = '00000000' + le(BigInt(KERNEL_STACK), 8) + '0'.repeat(48) + le(BigInt(IST1_STACK), 8);
  const idt = Array.from({ length: 256 }, (_, v) => (o.idt ?? ((x) => gate(x)))(v)).join('');
  const user = o.cpl === 3;
  const s = parseScenario({
    format: 'switchyard-scenario/1',
    cpu: {
      mode: 'long64',
      regs: { rsp: user ? '0x8000' : '0x8800', rip: `0x${CODE.toString(16)}`, rflags: '0x2', ...o.regs },
      cr3: '0x1000',
      efer: o.efer ?? '0x501',
      gdtr: { base: '0x2000', limit: '0x3f' },
      idtr: { base: '0x3000', limit: o.idtLimit ?? '0xfff' },
      seg: user ? { cs: '0x2b', ss: '0x23', ds: '0x23', es: '0x23', tr: '0x30' } : { cs: '0x8', ss: '0x10', ds: '0x10', es: '0x10', tr: '0x30' },
      msr: o.msr ?? {},
    },
    memory: [
      { addr: '0x1000', hex: '0760000000000000' },
      { addr: '0x6000', hex: '0770000000000000' },
      { addr: '0x7000', hex: le(BigInt(o.pageFlags ?? 0x87), 8) },
      { addr: '0x2000', hex: gdt },
      { addr: '0x3000', hex: idt },
      { addr: '0x5000', hex: tss },
      { addr: `0x${HANDLERS.toString(16)}`, hex: 'f4'.repeat(256) },
      { addr: `0x${CODE.toString(16)}`, hex: o.code.replace(/\s+/g, '') },
    ],
  });
  return setUpScenario(s);
}

const q = (m: Machine, at: number): bigint => {
  const b = m.read(at, 8);
  return b.reduceRight((acc, x) => (acc << 8n) | BigInt(x), 0n);
};

describe('exception and interrupt delivery (IA-32e)', () => {
  it('#DE at CPL 0: handler runs on the same stack, 16-byte aligned, RF set in the saved RFLAGS', () => {
    const m = machine({ code: '31c9 48f7f1', regs: { rsp: '0x8808', rax: '0x5' } });
    expect(m.run({ maxInstructions: 10 }).reason).toBe('hlt');
    expect(m.getRegister('rip')).toBe(BigInt(HANDLERS + 0 + 1));
    const rsp = Number(m.getRegister('rsp'));
    expect(rsp).toBe(0x8800 - 40);
    expect([q(m, rsp), q(m, rsp + 8), q(m, rsp + 16), q(m, rsp + 24), q(m, rsp + 32)]).toEqual([0x10002n, 0x8n, 0x10046n, 0x8808n, 0x10n]);
  });

  it('#GP from a privileged instruction at CPL 3 switches to RSP0 and nulls SS', () => {
    const m = machine({ code: '0f20c0', cpl: 3 }); // mov rax, cr0
    expect(m.run({ maxInstructions: 10 }).reason).toBe('hlt');
    expect(m.getRegister('rip')).toBe(BigInt(HANDLERS + 13 + 1));
    expect(m.getRegister('ss')).toBe(0n);
    expect(m.getRegister('cs')).toBe(0x8n);
    const rsp = Number(m.getRegister('rsp'));
    expect(rsp).toBe(KERNEL_STACK - 48);
    // error code, RIP, CS, RFLAGS, RSP, SS
    expect([q(m, rsp), q(m, rsp + 8), q(m, rsp + 16), q(m, rsp + 32), q(m, rsp + 40)]).toEqual([0n, 0x10000n, 0x2bn, 0x8000n, 0x23n]);
  });

  it('INT n through a DPL 3 gate works from CPL 3; through a DPL 0 gate it is #GP(vector*8+2)', () => {
    const ok = machine({ code: 'cd80', cpl: 3, idt: (v) => gate(v, v === 0x80 ? 3 : 0) });
    expect(ok.run({ maxInstructions: 10 }).reason).toBe('hlt');
    expect(ok.getRegister('rip')).toBe(BigInt(HANDLERS + 0x80 + 1));
    const denied = machine({ code: 'cd80', cpl: 3 });
    expect(denied.run({ maxInstructions: 10 }).reason).toBe('hlt');
    expect(denied.getRegister('rip')).toBe(BigInt(HANDLERS + 13 + 1));
    expect(q(denied, Number(denied.getRegister('rsp')))).toBe(0x80n * 8n + 2n);
  });

  it('uses the IST stack when the gate names one', () => {
    const m = machine({ code: '0f0b', idt: (v) => gate(v, 0, 0xe, v === 6 ? 1 : 0) });
    m.run({ maxInstructions: 10 });
    expect(m.getRegister('rip')).toBe(BigInt(HANDLERS + 6 + 1));
    expect(m.getRegister('rsp')).toBe(BigInt(IST1_STACK - 40));
  });

  it('a not-present #GP handler while delivering #GP escalates to #DF', () => {
    const m = machine({ code: '0f20c0', cpl: 3, idt: (v) => gate(v, 0, 0xe, 0, v !== 13) });
    expect(m.run({ maxInstructions: 10 }).reason).toBe('hlt');
    expect(m.getRegister('rip')).toBe(BigInt(HANDLERS + 8 + 1));
  });

  it('a handler that faults at once still stops at the budget', () => {
    // Every gate points at HANDLERS + vector; put a UD2 at the #UD handler: #UD -> #UD -> ...
    const m = machine({ code: '0f0b' });
    m.load(HANDLERS + 6, bytes('0f0b'));
    expect(m.run({ maxInstructions: 50 })).toEqual({ reason: 'limit', instructions: 0 });
  });

  it('an IDT too small for anything is a triple fault', () => {
    const m = machine({ code: '0f0b', idtLimit: '0x0' });
    expect(m.run({ maxInstructions: 10 }).reason).toBe('triple-fault');
  });

  it('#PF reports the error code and loads CR2', () => {
    const m = machine({ code: '488b03', cpl: 3, regs: { rbx: '0x12345' }, pageFlags: 0x83 });
    expect(m.run({ maxInstructions: 10 }).reason).toBe('hlt');
    expect(m.getRegister('rip')).toBe(BigInt(HANDLERS + 14 + 1));
    expect(m.getRegister('cr2')).toBe(0x10000n);
    // The fetch at CPL 3 from a supervisor page faults first: P=1 U/S=1 (I/D stays clear: EFER.NXE is off).
    expect(q(m, Number(m.getRegister('rsp')))).toBe(0x5n);
  });
});

describe('returns and fast system calls', () => {
  it('IRETQ to ring 3 loads CS, SS, RSP, RFLAGS and CPL 3', () => {
    // push 0x23; push 0x8000; push 0x202; push 0x2b; push 0x10040; iretq
    const m = machine({ code: '6a23 6800800000 6802020000 6a2b 6840000100 48cf', regs: { rsp: '0x8800' } });
    m.load(0x10040, bytes('90'));
    expect(m.run({ maxInstructions: 7 }).reason).toBe('limit');
    expect(m.getRegister('cpl')).toBe(3n);
    expect(m.getRegister('cs')).toBe(0x2bn);
    expect(m.getRegister('ss')).toBe(0x23n);
    expect(m.getRegister('rsp')).toBe(0x8000n);
    expect(m.getRegister('rflags')).toBe(0x202n);
    expect(m.getRegister('rip')).toBe(0x10041n);
  });

  it('RF loaded by IRETQ survives exactly one more instruction', () => {
    // push 0x10; push 0x8800; push 0x10002 (RF); push 0x8; push 0x10040; iretq ; (at 0x10040) nop; nop
    const m = machine({ code: '6a10 6800880000 6802000100 6a08 6840000100 48cf', regs: { rsp: '0x8800' } });
    m.load(0x10040, bytes('9090'));
    m.run({ maxInstructions: 6 });
    expect(m.getRegister('rflags')).toBe(0x10002n);
    m.run({ maxInstructions: 1 });
    expect(m.getRegister('rflags')).toBe(0x2n);
  });

  it('IRETQ with a return CS whose RPL is below CPL is #GP(selector)', () => {
    const m = machine({ code: '6a23 6800800000 6802020000 6a08 6840000100 48cf', cpl: 3 });
    expect(m.run({ maxInstructions: 10 }).reason).toBe('hlt');
    expect(m.getRegister('rip')).toBe(BigInt(HANDLERS + 13 + 1));
    expect(q(m, Number(m.getRegister('rsp')))).toBe(0x8n);
  });

  // L = 1 with D = 1 is reserved in IA-32e mode: #GP(selector), checked before the SS (SDM Vol. 3A §5.2.1).
  it.each([
    ['L = 1, D = 0 returns', 'ffff0000009aaf00', '6a10', 'limit', 0n],
    ['L = 1, D = 1 is #GP(selector) at the IRETQ', 'ffff0000009aef00', '6a10', 'hlt', 0x38n],
    ['L = 1, D = 1 is checked before an SS with the wrong RPL', 'ffff0000009aef00', '6a13', 'hlt', 0x38n],
  ] as const)('IRETQ to CS 0x38 with %s', (_t, descriptor, pushSs, reason, errorCode) => {
    // push ss; push 0x8800; push 0x2; push 0x38; push 0x10040; iretq (at 0x10013)
    const m = machine({ code: `${pushSs} 6800880000 6802000000 6a38 6840000100 48cf` });
    m.load(0x2038, bytes(descriptor));
    m.load(0x10040, bytes('90'));
    expect(m.run({ maxInstructions: 7 }).reason).toBe(reason);
    if (reason === 'limit') {
      expect(m.getRegister('cs')).toBe(0x38n);
      return;
    }
    expect(m.getRegister('rip')).toBe(BigInt(HANDLERS + 13 + 1));
    const rsp = Number(m.getRegister('rsp'));
    expect([q(m, rsp), q(m, rsp + 8), q(m, rsp + 16)]).toEqual([errorCode, 0x10013n, 0x8n]);
  });

  it('SYSCALL enters ring 0 at LSTAR and SYSRETQ returns to ring 3', () => {
    // user: syscall; nop    kernel (0x10100): sysretq
    const m = machine({
      code: '0f05 90',
      cpl: 3,
      regs: { rflags: '0x202' },
      msr: { star: '0x0018000800000000', lstar: '0x10100', sfmask: '0x200' },
    });
    m.load(0x10100, bytes('480f07'));
    expect(m.run({ maxInstructions: 1 }).reason).toBe('limit');
    expect(m.getRegister('cpl')).toBe(0n);
    expect(m.getRegister('rcx')).toBe(0x10002n);
    expect(m.getRegister('r11')).toBe(0x202n);
    expect(m.getRegister('rflags')).toBe(0x2n);
    expect(m.getRegister('cs')).toBe(0x8n);
    expect(m.run({ maxInstructions: 1 }).reason).toBe('limit');
    expect(m.getRegister('cpl')).toBe(3n);
    expect(m.getRegister('cs')).toBe(0x2bn);
    expect(m.getRegister('ss')).toBe(0x23n);
    expect(m.getRegister('rip')).toBe(0x10002n);
    expect(m.getRegister('rflags')).toBe(0x202n);
  });

  it('SYSRETQ to a non-canonical RCX raises #GP in ring 0', () => {
    const m = machine({ code: '480f07', regs: { rcx: '0x800000000000' }, msr: { star: '0x0018000800000000' } });
    expect(m.run({ maxInstructions: 10 }).reason).toBe('hlt');
    expect(m.getRegister('rip')).toBe(BigInt(HANDLERS + 13 + 1));
    expect(m.getRegister('cs')).toBe(0x8n);
  });

  it('SWAPGS exchanges GS.base with KERNEL_GS_BASE', () => {
    const m = machine({ code: '0f01f8' });
    m.cpu.msr.set(0xc0000102, 0x1234n);
    m.setRegister('gsbase', 0x5678n);
    m.run({ maxInstructions: 1 });
    expect(m.getRegister('gsbase')).toBe(0x1234n);
    expect(m.cpu.msr.get(0xc0000102)).toBe(0x5678n);
  });

  it('LRETQ reloads CS (the usual way to switch code segments in 64-bit mode)', () => {
    // push 0x8; push 0x10020; lretq
    const m = machine({ code: '6a08 6820000100 48cb' });
    m.load(0x10020, bytes('f4'));
    expect(m.run({ maxInstructions: 10 }).reason).toBe('hlt');
    expect(m.getRegister('rip')).toBe(0x10021n);
    expect(m.getRegister('rsp')).toBe(0x8800n);
  });

  // A not-present code segment with L and D both set: far RET checks the reserved L/D pair before
  // presence (#GP), IRET checks presence first (#NP). GDT entry 3 is made that descriptor.
  it.each([
    ['LRETQ', '6a18 6820000100 48cb', 13],
    ['IRETQ', '6a10 68 00880000 9c 6a18 6820000100 48cf', 11],
  ] as const)('%s to a not-present CS with L and D set raises vector %i with the selector', (_t, code, vector) => {
    const m = machine({ code });
    m.load(0x2018, bytes('ffff0000001aef00'));
    expect(m.run({ maxInstructions: 10 }).reason).toBe('hlt');
    expect(m.getRegister('rip')).toBe(BigInt(HANDLERS + vector + 1));
    expect(q(m, Number(m.getRegister('rsp')))).toBe(0x18n);
  });

  it('MOV to CR3 switches address spaces and flushes translations', () => {
    // mov rax, 0x4000 (a second PML4 mapping nothing); mov cr3, rax -> the next fetch faults... with no mapping, a triple fault
    const m = machine({ code: '48c7c000400000 0f22d8 90' });
    expect(m.run({ maxInstructions: 10 }).reason).toBe('triple-fault');
  });

  it.each([
    ['LAR of the kernel code segment', 'b808000000 0f02c0', 'rax', 0x00a09a00n, true],
    ['LSL of the kernel code segment (page granular)', 'b808000000 0f03c8', 'rcx', 0xffffffffn, true],
    ['VERW of a data segment', 'bb10000000 0f00eb', null, 0n, true],
    ['VERW of a code segment', 'b808000000 0f00e8', null, 0n, false],
    ['LAR of a selector beyond the GDT', 'b8f0000000 0f02c0', 'rax', 0xf0n, false],
  ] as const)('%s', (_t, code, reg, value, zf) => {
    const m = machine({ code });
    expect(m.run({ maxInstructions: 2 }).reason).toBe('limit');
    if (reg) expect(m.getRegister(reg)).toBe(value);
    expect((m.getRegister('rflags') & 0x40n) !== 0n).toBe(zf);
  });

  it('SYSENTER and SYSEXIT in protected mode', () => {
    const m = new Machine({ ramSize: 0x100000, mode: 'protected32' });
    m.load(0x1000, bytes('0f34 90'));
    m.load(0x2000, bytes('0f35'));
    m.cpu.msr.set(0x174, 0x8n);
    m.cpu.msr.set(0x175, 0x9000n);
    m.cpu.msr.set(0x176, 0x2000n);
    m.setRegister('rip', 0x1000n);
    m.setRegister('rflags', 0x202n);
    m.setRegister('rcx', 0x7000n);
    m.setRegister('rdx', 0x1002n);
    m.run({ maxInstructions: 1 });
    expect([m.getRegister('cs'), m.getRegister('ss'), m.getRegister('rsp'), m.getRegister('rip'), m.getRegister('rflags')]).toEqual([0x8n, 0x10n, 0x9000n, 0x2000n, 0x2n]);
    m.run({ maxInstructions: 1 });
    expect([m.getRegister('cs'), m.getRegister('ss'), m.getRegister('rsp'), m.getRegister('rip'), m.getRegister('cpl')]).toEqual([0x1bn, 0x23n, 0x7000n, 0x1002n, 3n]);
  });
});

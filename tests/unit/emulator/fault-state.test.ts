import { describe, expect, it } from 'vitest';
import { run } from './helpers.ts';
import { CODE, KERNEL_STACK, TSS_BASE, handlerAt, le, longMachine } from './long-machine.ts';

describe('RF after the IRETQ that loaded it', () => {
  // SDM Vol. 3B, 17.3.1.1: RF is cleared once the instruction after the IRET completes; HLT completes before halting.
  it.each([
    ['HLT right after IRETQ clears RF', '48cf f4', 0x10002n, 0x2n, 3],
    ['a NOP then HLT clears RF', '48cf 90 f4', 0x10002n, 0x2n, 4],
    ['an image without RF stays without it', '48cf f4', 0x202n, 0x202n, 3],
  ] as const)('%s', (_t, code, image, after, end) => {
    const frame = [BigInt(CODE + 2), 0x8n, image, 0x8900n, 0x10n].map((v) => le(v, 8)).join('');
    const m = longMachine({ code, memory: { 0x8800: frame } });
    expect(m.run({ maxInstructions: 10 }).reason).toBe('hlt');
    expect(m.getRegister('rip')).toBe(BigInt(CODE + end));
    expect(m.getRegister('rflags')).toBe(after);
  });
});

describe('CR2 holds the last page fault detected', () => {
  const UNMAPPED = 0x300000;
  // #DF goes through IST1 (a mapped stack) so that it can be delivered when RSP0 cannot.
  const istForDoubleFault = { [0x3000 + 8 * 16 + 4]: '01', [TSS_BASE + 0x24]: le(BigInt(KERNEL_STACK), 8) };
  it.each([
    ['a #PF delivered on a mapped RSP0', KERNEL_STACK, 14, UNMAPPED],
    ['a #PF while pushing the #PF frame on an unmapped RSP0 becomes #DF; CR2 names the stack', 0x401000, 8, 0x400ff8],
  ] as const)('%s', (_t, rsp0, vector, cr2) => {
    const m = longMachine({
      code: '488b042500003000', // mov rax, [0x300000]
      cpl: 3,
      memory: { ...istForDoubleFault, [TSS_BASE + 4]: le(BigInt(rsp0), 8) },
    });
    expect(m.run({ maxInstructions: 10 }).reason).toBe('hlt');
    expect(m.getRegister('rip')).toBe(BigInt(handlerAt(vector) + 1));
    expect(m.getRegister('cr2')).toBe(BigInt(cr2));
  });
});

describe('CR0.EM, CR0.MP and CR0.TS (SDM Vol. 3A, 2.5, Table 2-2)', () => {
  const NE_ET_PG = 0x80000030n;
  const [MP, EM, TS] = [0x2n, 0x4n, 0x8n];
  it.each([
    ['WAIT with MP and TS', '9b', MP | TS, '#NM', 'WAIT: CR0.TS and CR0.MP are set (the FPU/SIMD state may belong to another task: #NM lets the kernel switch it in)'],
    ['WAIT with TS alone', '9b', TS, null, null],
    ['WAIT with EM and TS, MP clear', '9b', EM | TS, null, null],
    ['WAIT with MP alone', '9b', MP, null, null],
    ['FLD1 with EM', 'd9e8', MP | EM, '#NM', 'FLD1: CR0.EM is set (x87 instructions are left to a software emulator: #NM)'],
    ['FLD1 with TS, MP clear', 'd9e8', TS, '#NM', 'FLD1: CR0.TS is set (the FPU/SIMD state may belong to another task: #NM lets the kernel switch it in)'],
    ['PADDB (MMX) with EM', '0ffcc1', MP | EM, '#UD', 'PADDB is not implemented by this CPU (form Paddb_mm_mmm64)'],
    ['PADDB (MMX) with TS', '0ffcc1', MP | TS, '#NM', 'PADDB: CR0.TS is set (the FPU/SIMD state may belong to another task: #NM lets the kernel switch it in)'],
    ['ADDPS with EM and TS', '0f58c1', MP | EM | TS, '#UD', 'ADDPS: CR0.EM is set (SSE instructions raise #UD)'],
    ['CLTS then WAIT', '0f06 9b', MP | TS, null, null],
  ] as const)('%s', (_t, hex, bits, name, reason) => {
    const o = run(hex.replace(/\s+/g, ''), { regs: { cr0: NE_ET_PG | bits } });
    if (name === null) {
      expect(o.result.reason).toBe('breakpoint');
      if (hex.startsWith('0f06')) expect(o.reg('cr0') & TS).toBe(0n);
    } else {
      expect(o.result.fault?.name).toBe(name);
      expect(o.result.fault?.reason).toBe(reason);
    }
  });
});

/**
 * x87/SSE/XSAVE behaviours the host-CPU differential found the emulator getting wrong (the
 * native SIMD conformance cases are the wider check: tests/conformance/native/simd.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { Machine } from '../../../emulator/index.ts';
import { CR4_OSFXSR, CR4_OSXMMEXCPT, CR4_OSXSAVE } from '../../../emulator/arch/control-registers.ts';
import { XCR0_SUPPORTED } from '../../../emulator/cpu/fpu.ts';
import type { Cpu } from '../../../emulator/index.ts';
import { bytes, CODE, DATA, STACK_TOP } from './helpers.ts';

/** Runs `hex` in 64-bit ring 0 with SSE, #XM and XSAVE enabled, after `setup` prepares the FPU/SIMD state. */
function run(hex: string, setup: (cpu: Cpu) => void, data = '') {
  const code = bytes(hex);
  const m = new Machine({ ramSize: 0x100000, mode: 'long64' });
  m.setRegister('cr4', m.getRegister('cr4') | BigInt(CR4_OSFXSR | CR4_OSXMMEXCPT | CR4_OSXSAVE));
  m.cpu.xcr0 = XCR0_SUPPORTED;
  m.load(CODE, code);
  if (data) m.load(DATA, bytes(data));
  m.setRegister('rdi', BigInt(DATA));
  m.setRegister('rsp', BigInt(STACK_TOP));
  m.setRegister('rip', BigInt(CODE));
  setup(m.cpu);
  const result = m.run({ maxInstructions: 100, breakpoints: [BigInt(CODE + code.length)] });
  return { m, cpu: m.cpu, result };
}

const MX_OE = 0x8;
const MX_PE = 0x20;
/** Every exception masked except overflow. */
const OVERFLOW_UNMASKED = 0x1f80 & ~(1 << 10);

function setSingles(cpu: Cpu, reg: number, lanes: number[]): void {
  lanes.forEach((v, k) => (cpu.xmm[reg * 8 + k] = v | 0));
}

describe('SSE: an unmasked overflow reports PE only when the unbounded-exponent result is inexact', () => {
  it('ADDPS MAX+MAX (exact at any exponent) raises #XM with OE alone', () => {
    // addps xmm0, xmm1
    const { cpu, result } = run('0f58c1', (c) => {
      c.mxcsr = OVERFLOW_UNMASKED;
      setSingles(c, 0, [0x7f7fffff, 0, 0, 0]);
      setSingles(c, 1, [0x7f7fffff, 0, 0, 0]);
    });
    expect(result.reason).toBe('fault');
    expect(cpu.mxcsr & 0x3f).toBe(MX_OE);
  });

  it('ADDSD MAX+tiny rounded up overflows inexactly: OE and PE', () => {
    // addsd xmm0, xmm1 with RC = up
    const { cpu, result } = run('f20f58c1', (c) => {
      c.mxcsr = OVERFLOW_UNMASKED | (2 << 13);
      c.xmm[0] = -1;
      c.xmm[1] = 0x7fefffff;
      c.xmm[8] = 0;
      c.xmm[9] = 0x3ff00000;
    });
    expect(result.reason).toBe('fault');
    expect(cpu.mxcsr & 0x3f).toBe(MX_OE | MX_PE);
  });
});

/** Puts `value` (80-bit: mantissa, sign:exponent) in ST(0), tagged valid, with TOP = 7. */
function st0(cpu: Cpu, mant: bigint, se: number, fcw: number): void {
  cpu.fcw = fcw;
  cpu.fsw = 7 << 11;
  cpu.ftag = 1 << 7;
  cpu.st[21] = Number(mant & 0xffffffffn) | 0;
  cpu.st[22] = Number(mant >> 32n) | 0;
  cpu.st[23] = se;
}

describe('x87 stores', () => {
  it('FST m32 with an unmasked overflow leaves PE clear and memory unwritten', () => {
    // fst dword [rdi]: 1.1 * 2^200 overflows a single; OM unmasked
    const { cpu, m } = run('d917', (c) => st0(c, 0x8cccccccccccccccn, 0x3fff + 200, 0x037f & ~0x08), '11223344');
    expect(cpu.fsw & 0x3f).toBe(0x08);
    expect(cpu.fsw & 0x8080).toBe(0x8080);
    expect(Array.from(m.read(DATA, 4))).toEqual([0x11, 0x22, 0x33, 0x44]);
  });

  it('FST m32 of an unnormal is invalid alone, not also an underflow', () => {
    // fst dword [rdi]: exponent 0x0b51 with the integer bit clear; IM masked, UM unmasked
    const { cpu, m } = run('d917', (c) => st0(c, 0x5094ab8a49efd840n, 0x0b51, 0x037f & ~0x10));
    expect(cpu.fsw & 0xff).toBe(0x01);
    expect(Array.from(m.read(DATA, 4))).toEqual([0x00, 0x00, 0xc0, 0xff]);
  });
});

describe('x87 loads and control', () => {
  it('FLD m32 of a denormal with #D unmasked still pushes, then flags the exception', () => {
    // fld dword [rdi]: the smallest single denormal
    const { cpu } = run(
      'd907',
      (c) => {
        c.fcw = 0x037f & ~0x02;
        c.fsw = 0;
        c.ftag = 0;
      },
      '01000000',
    );
    expect((cpu.fsw >> 11) & 7).toBe(7);
    expect(cpu.ftag).toBe(0x80);
    expect(cpu.fsw & 0x80ff).toBe(0x8082);
  });

  it('FLDCW delivers a pending unmasked exception (#MF) before loading', () => {
    // fldcw [rdi] with ES set by an earlier unmasked invalid operation
    const { cpu, result } = run(
      'd92f',
      (c) => {
        c.fcw = 0x037e;
        c.fsw = 0x8081;
      },
      '7f03',
    );
    expect(result.reason).toBe('fault');
    expect(result.fault?.vector).toBe(16);
    expect(cpu.fcw).toBe(0x037e);
  });
});

describe('XRSTOR, compacted form, with a reserved MXCSR bit', () => {
  it('#GP after loading the x87 and XMM state and initialising an absent AVX component', () => {
    const image = new Uint8Array(832);
    const v = new DataView(image.buffer);
    v.setUint16(0, 0x027f, true);
    v.setUint32(24, 0x00021f80, true);
    v.setUint32(160, 0x12345678, true);
    image[512] = 3;
    v.setUint32(520, 7, true);
    v.setUint32(524, 0x80000000, true);
    const hex = Buffer.from(image).toString('hex');
    // xrstor [rdi] with EDX:EAX = 7
    const { cpu, result } = run(
      'b807000000 31d2 0fae2f',
      (c) => {
        c.xmm.fill(-1);
        c.xinuse = 7;
      },
      hex,
    );
    expect(result.reason).toBe('fault');
    expect(result.fault?.vector).toBe(13);
    expect(cpu.fcw).toBe(0x027f);
    expect(cpu.xmm[0]).toBe(0x12345678);
    expect(cpu.xmm[4]).toBe(0);
    expect(cpu.mxcsr).toBe(0x1f80);
  });
});

describe('FXRSTOR and XRSTOR load FCW as FLDCW does', () => {
  it.each([
    ['FXRSTOR64', '480fae0f', 0x0000, 0x0040],
    ['FXRSTOR64', '480fae0f', 0xffff, 0x1f7f],
    ['XRSTOR64', 'b807000000 31d2 480fae2f', 0xe080, 0x0040],
  ] as const)('%s of FCW %s', (_what, code, stored, loaded) => {
    const image = new Uint8Array(832);
    const v = new DataView(image.buffer);
    v.setUint16(0, stored, true);
    v.setUint32(24, 0x1f80, true);
    image[512] = 7;
    const { cpu, result } = run(code, () => {}, Buffer.from(image).toString('hex'));
    expect(result.reason).toBe('breakpoint');
    expect(cpu.fcw).toBe(loaded);
  });
});

/** Runs `hex` at CPL 3 with CR0.AM and RFLAGS.AC set, so misaligned accesses may take #AC. */
function runAc(hex: string, setup: (cpu: Cpu) => void, rdi: number) {
  const code = bytes(hex);
  const m = new Machine({ ramSize: 0x100000, mode: 'long64', cpl: 3 });
  m.setRegister('cr0', m.getRegister('cr0') | 0x40000n);
  m.setRegister('cr4', m.getRegister('cr4') | BigInt(CR4_OSFXSR | CR4_OSXMMEXCPT | CR4_OSXSAVE));
  m.cpu.xcr0 = XCR0_SUPPORTED;
  m.load(CODE, code);
  m.setRegister('rdi', BigInt(rdi));
  m.setRegister('rsp', BigInt(STACK_TOP));
  m.setRegister('rflags', 0x40202n);
  m.setRegister('rip', BigInt(CODE));
  setup(m.cpu);
  const result = m.run({ maxInstructions: 100, breakpoints: [BigInt(CODE + code.length)] });
  return { cpu: m.cpu, result, vector: result.fault?.vector };
}

describe('alignment checking (CPL 3, CR0.AM, RFLAGS.AC) on SIMD and x87 operands', () => {
  const none = () => {};
  it('MOVDQU and VMOVDQU at odd addresses do not take #AC', () => {
    expect(runAc('f30f6f07', none, DATA + 3).result.reason).toBe('breakpoint');
    expect(runAc('f30f7f07', none, DATA + 3).result.reason).toBe('breakpoint');
    expect(runAc('c5fe6f07', none, DATA + 5).result.reason).toBe('breakpoint');
  });

  it('MOVQ from a misaligned address does', () => {
    expect(runAc('f30f7e07', none, DATA + 4).vector).toBe(17);
  });

  it('FXSAVE to a 16-byte aligned area does not; to one not 4-byte aligned it is #AC, 4-aligned #GP', () => {
    expect(runAc('0fae07', none, DATA + 16).result.reason).toBe('breakpoint');
    expect(runAc('0fae07', none, DATA + 6).vector).toBe(17);
    expect(runAc('0fae07', none, DATA + 4).vector).toBe(13);
  });

  it('XSAVE: #AC for an area not 4-byte aligned, #GP for one 4-aligned but not 64', () => {
    expect(runAc('b807000000 31d2 0fae27', none, DATA + 9).vector).toBe(17);
    expect(runAc('b807000000 31d2 0fae27', none, DATA + 12).vector).toBe(13);
  });

  it('FSTP m80 needs 8-byte alignment, not 16', () => {
    const st = (c: Cpu) => st0(c, 0x8000000000000000n, 0x3fff, 0x037f);
    expect(runAc('db3f', st, DATA + 8).result.reason).toBe('breakpoint');
    expect(runAc('db3f', st, DATA + 4).vector).toBe(17);
  });

  it('FST m32 of an empty ST(0) (masked: stores the indefinite) takes #AC with FSW unchanged', () => {
    const { cpu, vector } = runAc(
      'd917',
      (c) => {
        c.fcw = 0x037f;
        c.fsw = 0x3800;
        c.ftag = 0;
      },
      DATA + 2,
    );
    expect(vector).toBe(17);
    expect(cpu.fsw).toBe(0x3800);
  });
});

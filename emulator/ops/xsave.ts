/**
 * FXSAVE/FXRSTOR (and their REX.W forms), XSAVE/XSAVEOPT/XSAVEC/XRSTOR (standard and compacted
 * forms), XGETBV and XSETBV (SDM Vol. 1, 10.5 and chapter 13; Vol. 2 for the instructions).
 * This CPU never applies the modified optimization: XSAVEOPT differs from XSAVE only in skipping
 * components whose XINUSE bit is clear (the init optimization).
 */
import type { Cpu } from '../cpu/state.ts';
import {
  AVX_OFFSET, AVX_SIZE, checkMxcsr, HEADER_SIZE, initAvx, initSse, initX87, LEGACY_SIZE, MXCSR_DEFAULT, MXCSR_MASK,
  readAvxImage, readBlock, readX87Image, readXmmImage, SaveImage, writeAvxImage, writeMxcsrImage, writeX87Image, writeXmmImage, XCR0_AVX, XCR0_SSE, XCR0_SUPPORTED, XCR0_X87,
} from '../cpu/fpu.ts';
import { CR0_EM, CR0_TS, CR4_OSFXSR, CR4_OSXSAVE } from '../arch/control-registers.ts';
import { alignmentCheck, deviceNotAvailable, generalProtection, hex, invalidOpcode } from '../arch/faults.ts';
import type { Factory } from './operands.ts';

const RAX = 0;
const RCX = 1;
const RDX = 2;

function checkFxsr(cpu: Cpu, what: string): void {
  if (cpu.cr0 & (CR0_EM | CR0_TS)) {
    throw deviceNotAvailable(`${what}: CR0.${cpu.cr0 & CR0_TS ? 'TS' : 'EM'} is set (the FPU/SIMD state may belong to another task: #NM lets the kernel switch it in)`);
  }
}

function checkXsave(cpu: Cpu, what: string): void {
  if (!(cpu.cr4 & CR4_OSXSAVE)) throw invalidOpcode(`${what}: CR4.OSXSAVE is clear (the OS has not enabled XSAVE)`);
  if (cpu.cr0 & CR0_TS) throw deviceNotAvailable(`${what}: CR0.TS is set (the FPU/SIMD state may belong to another task: #NM lets the kernel switch it in)`);
}

/**
 * A misaligned area is #GP, except that with alignment checking on (CPL 3, CR0.AM, RFLAGS.AC) an
 * address that is not even 4-byte aligned is #AC (the SDM leaves it to the implementation; this
 * is what the host CPU does).
 */
function alignedArea(cpu: Cpu, linear: number, align: number, what: string): void {
  if (linear % align === 0) return;
  if (cpu.mem.alignmentChecks && linear % 4 !== 0) throw alignmentCheck(`${what}: the save area at ${hex(linear)} is not 4-byte aligned (CR0.AM and RFLAGS.AC are set at CPL 3)`);
  throw generalProtection(0, `${what}: the save area at ${hex(linear)} is not ${align}-byte aligned`);
}

/** Bytes 0-23 and 32-159 of the legacy region: the x87 part. */
function markX87(img: SaveImage): void {
  img.mark(0, 24);
  img.mark(32, 160);
}

const xmmEnd = (cpu: Cpu): number => (cpu.codeBits === 64 ? 416 : 288);

function fxsave(wide: boolean): Factory {
  return (raw) => {
    const what = raw.mnemonic;
    return (cpu, i) => {
      checkFxsr(cpu, what);
      const a = cpu.ea(i.mem!, LEGACY_SIZE);
      alignedArea(cpu, a, 16, what);
      const img = new SaveImage(LEGACY_SIZE);
      writeX87Image(cpu, img.view, wide);
      markX87(img);
      // With CR4.OSFXSR clear this CPU leaves MXCSR and the XMM registers out (the SDM makes it implementation-specific).
      if (cpu.cr4 & CR4_OSFXSR) {
        writeMxcsrImage(cpu, img.view);
        writeXmmImage(cpu, img.view);
        img.mark(24, 32);
        img.mark(160, xmmEnd(cpu));
      }
      img.store(cpu, a);
    };
  };
}

function fxrstor(wide: boolean): Factory {
  return (raw) => {
    const what = raw.mnemonic;
    return (cpu, i) => {
      checkFxsr(cpu, what);
      const a = cpu.ea(i.mem!, LEGACY_SIZE);
      alignedArea(cpu, a, 16, what);
      const img = readBlock(cpu, a, LEGACY_SIZE);
      const sse = (cpu.cr4 & CR4_OSFXSR) !== 0;
      if (sse) checkMxcsr(img.getUint32(24, true), what);
      readX87Image(cpu, img, wide);
      cpu.xinuse |= XCR0_X87;
      if (sse) {
        cpu.mxcsr = img.getUint32(24, true);
        readXmmImage(cpu, img);
        cpu.xinuse |= XCR0_SSE;
      }
    };
  };
}

/** The requested-feature bitmap: EDX:EAX AND XCR0 (XCR0's supported bits all lie in EAX). */
const rfbmOf = (cpu: Cpu): number => cpu.lo[RAX] & cpu.xcr0;

type SaveKind = 'standard' | 'opt' | 'compact';

function xsave(kind: SaveKind, wide: boolean): Factory {
  return (raw) => {
    const what = raw.mnemonic;
    return (cpu, i) => {
      checkXsave(cpu, what);
      const rfbm = rfbmOf(cpu);
      const size = rfbm & XCR0_AVX ? AVX_OFFSET + AVX_SIZE : LEGACY_SIZE + HEADER_SIZE;
      const a = cpu.ea(i.mem!, size);
      alignedArea(cpu, a, 64, what);
      const img = new SaveImage(size);
      const v = img.view;
      const saved = kind === 'standard' ? rfbm : rfbm & cpu.xinuse;
      if (saved & XCR0_X87) {
        writeX87Image(cpu, v, wide);
        markX87(img);
      }
      if (kind === 'compact' ? rfbm & XCR0_SSE : rfbm & (XCR0_SSE | XCR0_AVX)) {
        writeMxcsrImage(cpu, v);
        img.mark(24, 32);
      }
      if (saved & XCR0_SSE) {
        writeXmmImage(cpu, v);
        img.mark(160, xmmEnd(cpu));
      }
      if (saved & XCR0_AVX) {
        writeAvxImage(cpu, v, AVX_OFFSET);
        img.mark(AVX_OFFSET, AVX_OFFSET + (cpu.codeBits === 64 ? AVX_SIZE : AVX_SIZE / 2));
      }
      const bv = rfbm & cpu.xinuse;
      if (kind === 'compact') {
        v.setUint32(512, bv, true);
        v.setUint32(516, 0, true);
        v.setUint32(520, rfbm, true);
        v.setUint32(524, 0x80000000, true);
        img.mark(512, 528);
      } else {
        // XSTATE_BV bits outside RFBM keep the value read from memory.
        const old = cpu.mem.read32(a + 512);
        v.setUint32(512, ((old & ~rfbm) | bv) >>> 0, true);
        img.mark(512, 516);
      }
      img.store(cpu, a);
    };
  };
}

/**
 * The compacted form meets a reserved MXCSR bit only after it has loaded the x87 state and the XMM
 * registers and put components absent from XSTATE_BV in their initial configuration: the #GP
 * leaves those changes (observed on the host CPU; the standard form checks MXCSR first).
 */
function partialCompactedRestore(cpu: Cpu, img: DataView, rfbm: number, bv: number, wide: boolean): void {
  if (rfbm & XCR0_X87) {
    if (bv & XCR0_X87) readX87Image(cpu, img, wide);
    else initX87(cpu);
    cpu.xinuse = (cpu.xinuse & ~XCR0_X87) | (bv & XCR0_X87);
  }
  readXmmImage(cpu, img);
  cpu.xinuse |= XCR0_SSE;
  if (rfbm & XCR0_AVX && !(bv & XCR0_AVX)) {
    initAvx(cpu);
    cpu.xinuse &= ~XCR0_AVX;
  }
}

function xrstor(wide: boolean): Factory {
  return (raw) => {
    const what = raw.mnemonic;
    return (cpu, i) => {
      checkXsave(cpu, what);
      const rfbm = rfbmOf(cpu);
      const a = cpu.ea(i.mem!, LEGACY_SIZE + HEADER_SIZE);
      alignedArea(cpu, a, 64, what);
      const img = readBlock(cpu, a, LEGACY_SIZE + HEADER_SIZE);
      const bvLo = img.getUint32(512, true);
      const bvHi = img.getUint32(516, true);
      const compLo = img.getUint32(520, true);
      const compHi = img.getUint32(524, true);
      const compacted = (compHi & 0x80000000) !== 0;
      const header = (from: number, to: number): boolean => {
        for (let k = from; k < to; k += 4) if (img.getUint32(512 + k, true) !== 0) return true;
        return false;
      };
      if (compacted) {
        if (compHi & 0x7fffffff || compLo & ~cpu.xcr0) throw generalProtection(0, `${what}: XCOMP_BV ${hex((BigInt(compHi) << 32n) | BigInt(compLo))} names components XCR0 ${hex(cpu.xcr0)} does not enable`);
        if (bvHi || bvLo & ~compLo) throw generalProtection(0, `${what}: XSTATE_BV ${hex((BigInt(bvHi) << 32n) | BigInt(bvLo))} has bits that XCOMP_BV does not`);
        if (header(16, 64)) throw generalProtection(0, `${what}: bytes 16-63 of the XSAVE header are reserved and must be zero`);
      } else {
        if (bvHi || bvLo & ~cpu.xcr0) throw generalProtection(0, `${what}: XSTATE_BV ${hex((BigInt(bvHi) << 32n) | BigInt(bvLo))} names components XCR0 ${hex(cpu.xcr0)} does not enable`);
        if (header(8, 24)) throw generalProtection(0, `${what}: bytes 8-23 of the XSAVE header (XCOMP_BV and reserved) must be zero in the standard form`);
      }
      const mxcsrFromImage = compacted ? rfbm & bvLo & XCR0_SSE : rfbm & (XCR0_SSE | XCR0_AVX);
      if (mxcsrFromImage && compacted && img.getUint32(24, true) & ~MXCSR_MASK) partialCompactedRestore(cpu, img, rfbm, bvLo, wide);
      if (mxcsrFromImage) checkMxcsr(img.getUint32(24, true), what);
      let avx: DataView | null = null;
      if (rfbm & bvLo & XCR0_AVX) avx = readBlock(cpu, a + AVX_OFFSET, AVX_SIZE);
      if (rfbm & XCR0_X87) {
        if (bvLo & XCR0_X87) readX87Image(cpu, img, wide);
        else initX87(cpu);
      }
      if (rfbm & XCR0_SSE) {
        if (bvLo & XCR0_SSE) readXmmImage(cpu, img);
        else initSse(cpu);
      }
      if (mxcsrFromImage) cpu.mxcsr = img.getUint32(24, true);
      else if (compacted && rfbm & XCR0_SSE) cpu.mxcsr = MXCSR_DEFAULT;
      if (rfbm & XCR0_AVX) {
        if (avx) readAvxImage(cpu, avx, 0);
        else initAvx(cpu);
      }
      cpu.xinuse = (cpu.xinuse & ~rfbm) | (bvLo & rfbm);
    };
  };
}

/** XGETBV: ECX = 0 reads XCR0, ECX = 1 reads XINUSE AND XCR0 (CPUID.(EAX=0DH,ECX=1):EAX[2]). */
const xgetbv: Factory = (raw) => (cpu) => {
  if (!(cpu.cr4 & CR4_OSXSAVE)) throw invalidOpcode(`${raw.mnemonic}: CR4.OSXSAVE is clear`);
  const n = cpu.lo[RCX] >>> 0;
  if (n > 1) throw generalProtection(0, `${raw.mnemonic}: XCR${n} does not exist (ECX = ${hex(n)})`);
  cpu.lo[RAX] = n === 0 ? cpu.xcr0 : cpu.xinuse & cpu.xcr0;
  cpu.hi[RAX] = 0;
  cpu.lo[RDX] = 0;
  cpu.hi[RDX] = 0;
};

/** XSETBV: ring 0 only; XCR0 must keep x87, name only implemented components, and AVX needs SSE. */
const xsetbv: Factory = (raw) => (cpu) => {
  const what = raw.mnemonic;
  if (!(cpu.cr4 & CR4_OSXSAVE)) throw invalidOpcode(`${what}: CR4.OSXSAVE is clear`);
  if (cpu.cpl !== 0) throw generalProtection(0, `${what}: CPL is ${cpu.cpl}, not 0`);
  const n = cpu.lo[RCX] >>> 0;
  if (n !== 0) throw generalProtection(0, `${what}: XCR${n} does not exist (ECX = ${hex(n)})`);
  const lo = cpu.lo[RAX] >>> 0;
  const hi = cpu.lo[RDX] >>> 0;
  const value = hex((BigInt(hi) << 32n) | BigInt(lo));
  if (hi || lo & ~XCR0_SUPPORTED) throw generalProtection(0, `${what}: ${value} sets bits of components this CPU does not support (supported: ${hex(XCR0_SUPPORTED)})`);
  if (!(lo & XCR0_X87)) throw generalProtection(0, `${what}: ${value} clears bit 0 (x87 state must stay enabled)`);
  if (lo & XCR0_AVX && !(lo & XCR0_SSE)) throw generalProtection(0, `${what}: ${value} enables AVX state without SSE state`);
  cpu.xcr0 = lo;
};

export const xsaveOps: Record<string, Factory> = {
  FXSAVE: fxsave(false),
  FXSAVE64: fxsave(true),
  FXRSTOR: fxrstor(false),
  FXRSTOR64: fxrstor(true),
  XSAVE: xsave('standard', false),
  XSAVE64: xsave('standard', true),
  XSAVEOPT: xsave('opt', false),
  XSAVEOPT64: xsave('opt', true),
  XSAVEC: xsave('compact', false),
  XSAVEC64: xsave('compact', true),
  XRSTOR: xrstor(false),
  XRSTOR64: xrstor(true),
  XGETBV: xgetbv,
  XSETBV: xsetbv,
};

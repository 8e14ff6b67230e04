/**
 * The x87/SSE/AVX register file's rules: which control bits gate the units (Intel SDM Vol. 3A,
 * 2.5 and 13.1), the initial configurations XSAVE and XRSTOR use (SDM Vol. 1, 13.6), MXCSR and
 * x87 status bits, and the FXSAVE/XSAVE legacy-region layout (SDM Vol. 1, 10.5.1 and 13.4).
 * The registers themselves are plain fields of Cpu (`xmm`, `st`, `fcw`, ...): only x87, SIMD and
 * XSAVE-family instructions touch them, so code that never uses them pays nothing.
 */
import type { Cpu } from './state.ts';
import { CR0_EM, CR0_NE, CR0_TS, CR4_OSFXSR, CR4_OSXMMEXCPT, CR4_OSXSAVE } from '../arch/control-registers.ts';
import { CpuFault, Vector, deviceNotAvailable, generalProtection, hex, invalidOpcode } from '../arch/faults.ts';


/** XCR0 components this CPU implements: x87 (0), SSE (1), AVX (2). */
export const XCR0_X87 = 1;
export const XCR0_SSE = 2;
export const XCR0_AVX = 4;
export const XCR0_SUPPORTED = XCR0_X87 | XCR0_SSE | XCR0_AVX;

export const LEGACY_SIZE = 512;
export const HEADER_SIZE = 64;
export const AVX_OFFSET = 576;
export const AVX_SIZE = 256;

export const MXCSR_DEFAULT = 0x1f80;
/** Every MXCSR bit this CPU implements (DAZ included), as FXSAVE reports it in MXCSR_MASK. */
export const MXCSR_MASK = 0xffff;
export const FCW_DEFAULT = 0x37f;

/** MXCSR flags, masks and fields. */
export const MX_IE = 1;
export const MX_DE = 2;
export const MX_ZE = 4;
export const MX_OE = 8;
export const MX_UE = 16;
export const MX_PE = 32;
export const MX_DAZ = 64;
export const MX_MASK_SHIFT = 7;
export const MX_RC_SHIFT = 13;
export const MX_FTZ = 1 << 15;

/** x87 status word bits (SDM Vol. 1, 8.1.3). */
export const FSW_IE = 1;
export const FSW_DE = 2;
export const FSW_ZE = 4;
export const FSW_OE = 8;
export const FSW_UE = 16;
export const FSW_PE = 32;
export const FSW_SF = 64;
export const FSW_ES = 128;
export const FSW_C1 = 1 << 9;
export const FSW_B = 1 << 15;
export const FSW_TOP_SHIFT = 11;

/** Size of the XSAVE area (standard form) for the components in `xcr0`: CPUID.(EAX=0DH,ECX=0).EBX. */
export const xsaveSize = (xcr0: number): number => (xcr0 & XCR0_AVX ? AVX_OFFSET + AVX_SIZE : LEGACY_SIZE + HEADER_SIZE);

/** x87 instructions: CR0.EM or CR0.TS raise #NM (SDM Vol. 3A, Table 2-2). */
export function checkX87(cpu: Cpu, what: string): void {
  if (cpu.cr0 & (CR0_EM | CR0_TS)) {
    throw deviceNotAvailable(cpu.cr0 & CR0_TS ? `${what}: CR0.TS is set (the FPU/SIMD state may belong to another task: #NM lets the kernel switch it in)` : `${what}: CR0.EM is set (x87 instructions are left to a software emulator: #NM)`);
  }
}

/**
 * A waiting x87 instruction first delivers a pending unmasked exception as #MF when CR0.NE is set
 * (SDM Vol. 1, 8.6). With CR0.NE clear the PC-style FERR# line would signal it, which this
 * machine does not wire: the exception stays pending.
 */
export function checkPendingX87(cpu: Cpu, what: string): void {
  if (cpu.fsw & FSW_ES && cpu.cr0 & CR0_NE) {
    throw mathFault(`${what}: an unmasked x87 exception is pending (FSW ${hex(cpu.fsw)}, FCW ${hex(cpu.fcw)})`);
  }
}

const mathFault = (reason: string): CpuFault => new CpuFault(Vector.MF, reason);
const simdFault = (reason: string): CpuFault => new CpuFault(Vector.XM, reason);

/** Legacy SSE instructions: #UD when CR0.EM is set or CR4.OSFXSR is clear, then #NM when CR0.TS is set. */
export function checkSse(cpu: Cpu, what: string): void {
  if (cpu.cr0 & CR0_EM) throw invalidOpcode(`${what}: CR0.EM is set (SSE instructions raise #UD)`);
  if (!(cpu.cr4 & CR4_OSFXSR)) throw invalidOpcode(`${what}: CR4.OSFXSR is clear (the OS has not enabled SSE)`);
  if (cpu.cr0 & CR0_TS) throw deviceNotAvailable(`${what}: CR0.TS is set (the FPU/SIMD state may belong to another task: #NM lets the kernel switch it in)`);
}

/** VEX-encoded instructions: #UD unless CR4.OSXSAVE is set and XCR0 enables SSE and AVX state; then #NM when CR0.TS is set. */
export function checkAvx(cpu: Cpu, what: string): void {
  if (!(cpu.cr4 & CR4_OSXSAVE)) throw invalidOpcode(`${what}: CR4.OSXSAVE is clear (VEX instructions need the OS to enable XSAVE)`);
  if ((cpu.xcr0 & (XCR0_SSE | XCR0_AVX)) !== (XCR0_SSE | XCR0_AVX)) throw invalidOpcode(`${what}: XCR0 ${hex(cpu.xcr0)} does not enable both SSE and AVX state`);
  if (cpu.cr0 & CR0_TS) throw deviceNotAvailable(`${what}: CR0.TS is set (the FPU/SIMD state may belong to another task: #NM lets the kernel switch it in)`);
}

/** A SIMD floating-point exception that is unmasked: #XM with CR4.OSXMMEXCPT, else #UD (SDM Vol. 3A, 6.15, interrupt 19). */
export function raiseSimd(cpu: Cpu, what: string, flags: number): never {
  const names = ['invalid', 'denormal', 'divide-by-zero', 'overflow', 'underflow', 'precision'].filter((_, k) => flags & (1 << k)).join(', ');
  const reason = `${what}: unmasked SIMD floating-point exception (${names}; MXCSR ${hex(cpu.mxcsr)})`;
  if (cpu.cr4 & CR4_OSXMMEXCPT) throw simdFault(reason);
  throw invalidOpcode(`${reason}, and CR4.OSXMMEXCPT is clear`);
}

export function checkMxcsr(value: number, what: string): void {
  if (value & ~MXCSR_MASK) throw generalProtection(0, `${what}: MXCSR value ${hex(value >>> 0)} sets reserved bits (MXCSR_MASK is ${hex(MXCSR_MASK)})`);
}

// ---------------------------------------------------------------------------------------------
// Initial configurations (SDM Vol. 1, 13.6)

export function initX87(cpu: Cpu): void {
  cpu.fcw = FCW_DEFAULT;
  cpu.fsw = 0;
  cpu.ftag = 0;
  cpu.fop = 0;
  cpu.fip = 0;
  cpu.fdp = 0;
  cpu.st.fill(0);
}

/** The XMM registers (all 16 in 64-bit mode, XMM0-7 otherwise); MXCSR is not part of SSE's initial configuration. */
export function initSse(cpu: Cpu): void {
  const n = cpu.codeBits === 64 ? 16 : 8;
  for (let r = 0; r < n; r++) cpu.xmm.fill(0, r * 8, r * 8 + 4);
}

export function initAvx(cpu: Cpu): void {
  const n = cpu.codeBits === 64 ? 16 : 8;
  for (let r = 0; r < n; r++) cpu.xmm.fill(0, r * 8 + 4, r * 8 + 8);
}

// ---------------------------------------------------------------------------------------------
// Legacy region (FXSAVE image and XSAVE components 0 and 1)

/** The x87 stack top. */
export const top = (cpu: Cpu): number => (cpu.fsw >> FSW_TOP_SHIFT) & 7;

/** Writes bytes 0-23 and 32-159 (x87 state); `wide` is the REX.W form with 64-bit FIP and FDP. */
export function writeX87Image(cpu: Cpu, image: DataView, wide: boolean): void {
  image.setUint16(0, cpu.fcw, true);
  image.setUint16(2, cpu.fsw, true);
  image.setUint8(4, cpu.ftag);
  image.setUint8(5, 0);
  image.setUint16(6, cpu.fop, true);
  if (wide) {
    setU64(image, 8, cpu.fip);
    setU64(image, 16, cpu.fdp);
  } else {
    // FCS and FDS are deprecated (CPUID.(EAX=07H,ECX=0):EBX[13]): saved as zero.
    image.setUint32(8, cpu.fip >>> 0, true);
    image.setUint32(12, 0, true);
    image.setUint32(16, cpu.fdp >>> 0, true);
    image.setUint32(20, 0, true);
  }
  const t = top(cpu);
  for (let i = 0; i < 8; i++) {
    const p = ((t + i) & 7) * 3;
    const at = 32 + i * 16;
    image.setInt32(at, cpu.st[p], true);
    image.setInt32(at + 4, cpu.st[p + 1], true);
    image.setUint16(at + 8, cpu.st[p + 2], true);
    image.setUint16(at + 10, 0, true);
    image.setUint32(at + 12, 0, true);
  }
}

export function readX87Image(cpu: Cpu, image: DataView, wide: boolean): void {
  // As FLDCW: bit 6 reads as 1, bits 7 and 13-15 as 0 (the host CPU's FXRSTOR and XRSTOR do the same).
  cpu.fcw = (image.getUint16(0, true) & 0x1f3f) | 0x40;
  cpu.fsw = image.getUint16(2, true);
  cpu.ftag = image.getUint8(4);
  cpu.fop = image.getUint16(6, true) & 0x7ff;
  cpu.fip = wide ? getU64(image, 8) : image.getUint32(8, true);
  cpu.fdp = wide ? getU64(image, 16) : image.getUint32(16, true);
  const t = top(cpu);
  for (let i = 0; i < 8; i++) {
    const p = ((t + i) & 7) * 3;
    const at = 32 + i * 16;
    cpu.st[p] = image.getInt32(at, true);
    cpu.st[p + 1] = image.getInt32(at + 4, true);
    cpu.st[p + 2] = image.getUint16(at + 8, true);
  }
}

export function writeMxcsrImage(cpu: Cpu, image: DataView): void {
  image.setUint32(24, cpu.mxcsr, true);
  image.setUint32(28, MXCSR_MASK, true);
}

/** XMM0-15 at 160 (XMM0-7 outside 64-bit mode: the rest of the area is left alone). */
export function writeXmmImage(cpu: Cpu, image: DataView): void {
  const n = cpu.codeBits === 64 ? 16 : 8;
  for (let r = 0; r < n; r++) for (let k = 0; k < 4; k++) image.setInt32(160 + r * 16 + k * 4, cpu.xmm[r * 8 + k], true);
}

export function readXmmImage(cpu: Cpu, image: DataView): void {
  const n = cpu.codeBits === 64 ? 16 : 8;
  for (let r = 0; r < n; r++) for (let k = 0; k < 4; k++) cpu.xmm[r * 8 + k] = image.getInt32(160 + r * 16 + k * 4, true);
}

export function writeAvxImage(cpu: Cpu, image: DataView, at: number): void {
  const n = cpu.codeBits === 64 ? 16 : 8;
  for (let r = 0; r < n; r++) for (let k = 0; k < 4; k++) image.setInt32(at + r * 16 + k * 4, cpu.xmm[r * 8 + 4 + k], true);
}

export function readAvxImage(cpu: Cpu, image: DataView, at: number): void {
  const n = cpu.codeBits === 64 ? 16 : 8;
  for (let r = 0; r < n; r++) for (let k = 0; k < 4; k++) cpu.xmm[r * 8 + 4 + k] = image.getInt32(at + r * 16 + k * 4, true);
}

const TWO32 = 4294967296;

/** A linear address held as a sign-extended number, stored as 64 bits. */
function setU64(v: DataView, at: number, value: number): void {
  const hi = Math.floor(value / TWO32);
  v.setUint32(at, value - hi * TWO32, true);
  v.setInt32(at + 4, hi, true);
}

function getU64(v: DataView, at: number): number {
  return v.getInt32(at + 4, true) * TWO32 + v.getUint32(at, true);
}

// ---------------------------------------------------------------------------------------------
// Block transfers between memory and an image buffer (faults before any byte is written)

export function readBlock(cpu: Cpu, linear: number, size: number): DataView {
  const bytes = new Uint8Array(size);
  for (let k = 0; k < size; k += 4) {
    const v = cpu.mem.read32(linear + k);
    bytes[k] = v & 0xff;
    bytes[k + 1] = (v >>> 8) & 0xff;
    bytes[k + 2] = (v >>> 16) & 0xff;
    bytes[k + 3] = v >>> 24;
  }
  return new DataView(bytes.buffer);
}

/** An image being built by a save instruction: only the ranges marked are stored. */
export class SaveImage {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  private readonly ranges: [number, number][] = [];
  constructor(readonly size: number) {
    this.bytes = new Uint8Array(size);
    this.view = new DataView(this.bytes.buffer);
  }
  mark(from: number, to: number): void {
    this.ranges.push([from, to]);
  }
  /** Probes the whole area for writing (the save faults before it stores anything), then stores the marked ranges. */
  store(cpu: Cpu, linear: number): void {
    // The area's alignment was checked by the instruction (#GP, or #AC for an address not 4-byte aligned).
    cpu.mem.probeWrite(linear, this.size, 1);
    for (const [from, to] of this.ranges) for (let k = from; k < to; k++) cpu.mem.write8(linear + k, this.bytes[k]);
  }
}

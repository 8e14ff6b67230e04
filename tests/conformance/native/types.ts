/**
 * The contract between the host-CPU harness (which records what real silicon does) and the
 * emulator adapter (which runs the same case on our CPU). Numbers are 0x-prefixed hex strings.
 *
 * Memory layout shared by both sides, in 64-bit user mode:
 *   CODE_ADDR   the case's code, followed by the harness's own return path
 *   DATA_ADDR   a 4 KiB read/write scratch page; registers used as pointers point into it
 *   STACK_TOP   RSP at entry; the 4 KiB below it is the stack page
 */
export const CODE_ADDR = 0x10000000n;
export const DATA_ADDR = 0x20000000n;
export const DATA_SIZE = 0x1000;
export const STACK_TOP = 0x30001000n;
export const STACK_SIZE = 0x1000;

export const GPR_NAMES = ['rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15'] as const;
export type GprName = (typeof GPR_NAMES)[number];

export interface NativeCase {
  id: string;
  /** The instruction family, for the agreement report: 'alu', 'shift', 'bits', 'mul-div', 'string', ... */
  family: string;
  /** What the code is, for a person reading a mismatch: `adc eax, ebx`. */
  text: string;
  /** Machine code run from CODE_ADDR; execution ends when RIP reaches CODE_ADDR + code length. */
  code: string;
  regs: Record<GprName, string>;
  /** Initial RFLAGS (reserved bit 1 set; only status flags and DF vary). */
  rflags: string;
  /** Initial contents of the data page from DATA_ADDR (shorter than DATA_SIZE: the rest is zero). */
  data?: string;
  /** RFLAGS bits that iced-x86 reports as undefined after this code: masked in the comparison. */
  undefinedFlags: string;
  /** Initial x87/SSE/AVX state as an XSAVE standard image of SIMD_IMAGE_SIZE bytes (hex); absent for GPR-only cases. */
  simd?: string;
  /** Host CPU features (/proc/cpuinfo flag names) the case needs: a host without them skips it. */
  requires?: string[];
  /** [offset, length] ranges of the data page left out of the comparison (fields the SDM leaves implementation-specific). */
  ignoreData?: [number, number][];
}

/** The XSAVE image a SIMD case carries: legacy region (512), header (64), YMM_Hi128 (256). */
export const SIMD_IMAGE_SIZE = 832;

/**
 * The SIMD state compared after a case, by field: fcw fsw ftw (abridged) mxcsr, st0-st7 (80 bits,
 * ST(i) order), xmm0-xmm15 and ymmh0-ymmh15 (bits 255:128), each as little-endian byte hex.
 * FOP, FIP and FDP are not compared: which instructions update them and when is model-specific
 * (FDP_EXCPTN_ONLY, FOP compatibility mode, deprecated FCS/FDS).
 */
export type SimdState = Record<string, string>;

/** The exception a case ended in, by vector mnemonic, as the host reports it through its signal. */
export type NativeFault = '#DE' | '#UD' | '#GP' | '#SS' | '#PF' | '#BP' | '#AC' | '#OF' | '#MF' | '#XM';

export interface NativeOutcome {
  regs: Record<GprName, string>;
  rflags: string;
  /** The data page after the run (the first `data.length` bytes, or 64 bytes if the case had none). */
  data: string;
  fault?: NativeFault;
  /** For a fault: RIP of the faulting instruction (the emulator must stop there too). */
  faultRip?: string;
  /** For a SIMD case: its x87/SSE/AVX state afterwards. */
  simd?: SimdState;
}

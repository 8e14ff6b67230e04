/**
 * The x87/SSE/AVX register file in a wire-safe form for the debugger's register view. Values
 * wider than 64 bits travel as fixed-width hex strings (the generic wire form truncates bigints to
 * 64 bits); x87 registers are given in stack order, st(0) first, as FXSAVE stores them.
 */
import type { Cpu } from '../cpu/state.ts';
import { FCW_DEFAULT, MXCSR_DEFAULT, XCR0_X87, top } from '../cpu/fpu.ts';

export interface FpuView {
  fcw: number;
  fsw: number;
  /** Abridged tag: bit i set when physical register Ri is not empty. */
  ftag: number;
  fop: number;
  fip: string;
  fdp: string;
  mxcsr: number;
  xcr0: number;
  xinuse: number;
  /** st(0)..st(7): 80 bits each, `0x` and 20 hex digits. */
  st: string[];
  /** XMM0-15 (the low halves of YMM0-15): `0x` and 32 hex digits. */
  xmm: string[];
  /** The upper halves of YMM0-15. */
  ymmHi: string[];
  /** Anything in the register file differs from its state at reset: the program uses the FPU. */
  inUse: boolean;
}

const hexDigits = (value: bigint, digits: number): string => `0x${value.toString(16).padStart(digits, '0')}`;

const dwords = (words: Int32Array, from: number, count: number): bigint => {
  let v = 0n;
  for (let k = count - 1; k >= 0; k--) v = (v << 32n) | BigInt(words[from + k] >>> 0);
  return v;
};

/** A linear address held as a sign-extended number, as 64 bits. */
const address = (value: number): string => hexDigits(BigInt.asUintN(64, BigInt(value)), 1);

export function fpuView(cpu: Cpu): FpuView {
  const t = top(cpu);
  const st: string[] = [];
  for (let i = 0; i < 8; i++) {
    const p = ((t + i) & 7) * 3;
    const bits = (BigInt(cpu.st[p + 2] & 0xffff) << 64n) | dwords(cpu.st, p, 2);
    st.push(hexDigits(bits, 20));
  }
  const xmm: string[] = [];
  const ymmHi: string[] = [];
  for (let r = 0; r < 16; r++) {
    xmm.push(hexDigits(dwords(cpu.xmm, r * 8, 4), 32));
    ymmHi.push(hexDigits(dwords(cpu.xmm, r * 8 + 4, 4), 32));
  }
  const inUse =
    cpu.xinuse !== 0 || cpu.xcr0 !== XCR0_X87 || cpu.fcw !== FCW_DEFAULT || cpu.fsw !== 0 || cpu.ftag !== 0 || cpu.mxcsr !== MXCSR_DEFAULT ||
    cpu.st.some((w) => w !== 0) || cpu.xmm.some((w) => w !== 0);
  return {
    fcw: cpu.fcw, fsw: cpu.fsw, ftag: cpu.ftag, fop: cpu.fop, fip: address(cpu.fip), fdp: address(cpu.fdp),
    mxcsr: cpu.mxcsr >>> 0, xcr0: cpu.xcr0, xinuse: cpu.xinuse, st, xmm, ymmHi, inUse,
  };
}

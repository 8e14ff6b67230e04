/**
 * SSE/SSE2 and the VEX moves: MOVAPS MOVUPS MOVDQA MOVDQU MOVQ MOVD MOVSS MOVSD, PXOR XORPS,
 * PADDB/W/D/Q, ADDPS ADDSD, LDMXCSR STMXCSR, VMOVDQU VMOVAPS (128 and 256 bits).
 * Legacy encodings leave bits 255:128 of the YMM register alone; VEX.128 zeroes them
 * (SDM Vol. 1, 14.1.3). Aligned forms and legacy m128 operands need 16-byte alignment (#GP(0)).
 */
import type { Cpu } from '../cpu/state.ts';
import { checkAvx, checkMxcsr, checkSse, MX_MASK_SHIFT, raiseSimd, XCR0_AVX, XCR0_SSE } from '../cpu/fpu.ts';
import { generalProtection, hex } from '../arch/faults.ts';
import { add32, add64, laneFlags } from '../cpu/simd-float.ts';
import type { RawInsn } from '../decode/iced.ts';
import { OP_MEM, OP_XMM, type Exec, type Insn, type Operand } from '../cpu/insn.ts';
import { undefinedForm, type Factory } from './operands.ts';

const src = new Int32Array(8);
const res = new Int32Array(8);

function aligned(insn: Insn, a: number, align: number): void {
  if (a % align !== 0) throw generalProtection(0, `${insn.mnemonic}: the ${align * 8}-bit memory operand at ${hex(a)} is not ${align}-byte aligned`);
}

/** Reads `bytes` of an XMM/YMM register or memory operand into `src`. */
function load(cpu: Cpu, insn: Insn, op: Operand, bytes: number, align: number): void {
  if (op.kind === OP_XMM) {
    const base = op.reg * 8;
    for (let k = 0; k < bytes >> 2; k++) src[k] = cpu.xmm[base + k];
    return;
  }
  const a = cpu.ea(insn.mem!, bytes);
  if (align) aligned(insn, a, align);
  const m = cpu.mem;
  if (bytes === 4) src[0] = m.read32(a);
  else if (bytes > 8 && m.alignmentChecks) readUnchecked(cpu, a, bytes);
  else
    for (let k = 0; k < bytes >> 2; k += 2) {
      src[k] = m.read64(a + k * 4);
      src[k + 1] = m.hi;
    }
}

function store(cpu: Cpu, insn: Insn, from: Int32Array, at: number, bytes: number, align: number): void {
  const a = cpu.ea(insn.mem!, bytes);
  if (align) aligned(insn, a, align);
  const m = cpu.mem;
  if (bytes === 4) {
    m.write32(a, from[at]);
    return;
  }
  if (bytes > 8) {
    m.probeWrite(a, bytes, 1);
    if (m.alignmentChecks) {
      for (let k = 0; k < bytes; k++) m.write8(a + k, from[at + (k >> 2)] >> (8 * (k & 3)));
      return;
    }
  }
  for (let k = 0; k < bytes >> 2; k += 2) m.write64(a + k * 4, from[at + k], from[at + k + 1]);
}

/**
 * 16- and 32-byte operands are never alignment-checked (#AC): the aligned forms #GP instead and
 * the unaligned ones allow any address (host CPU; SDM Vol. 3A, 6.15, interrupt 17). Scalar
 * 4- and 8-byte operands are checked.
 */
function readUnchecked(cpu: Cpu, a: number, bytes: number): void {
  const m = cpu.mem;
  for (let k = 0; k < bytes >> 2; k++) {
    const b = a + 4 * k;
    src[k] = m.read8(b) | (m.read8(b + 1) << 8) | (m.read8(b + 2) << 16) | (m.read8(b + 3) << 24);
  }
}

const isVex = (raw: RawInsn): boolean => raw.form.startsWith('VEX_');

/**
 * A full-register move (MOVAPS/MOVUPS/MOVDQA/MOVDQU and their VEX forms): `align` is 0 for the
 * unaligned forms, else the operand size.
 */
function fullMove(alignedForm: boolean): Factory {
  return (raw) => {
    const [d, s] = raw.ops;
    const vex = isVex(raw);
    const bytes = d.kind === OP_XMM ? d.size : s.size;
    const align = alignedForm ? bytes : 0;
    const check = vex ? checkAvx : checkSse;
    const what = raw.mnemonic;
    if (d.kind === OP_MEM) {
      const sr = s.reg * 8;
      return (cpu, i) => {
        check(cpu, what);
        store(cpu, i, cpu.xmm, sr, bytes, align);
      };
    }
    const dr = d.reg * 8;
    const mark = vex && bytes === 32 ? XCR0_SSE | XCR0_AVX : XCR0_SSE;
    return (cpu, i) => {
      check(cpu, what);
      load(cpu, i, s, bytes, align);
      const x = cpu.xmm;
      for (let k = 0; k < bytes >> 2; k++) x[dr + k] = src[k];
      if (vex && bytes === 16) for (let k = 4; k < 8; k++) x[dr + k] = 0;
      cpu.xinuse |= mark;
    };
  };
}

/** MOVSS/MOVSD/MOVQ/MOVD: scalar moves; `bytes` is the element size. */
function scalarMove(bytes: number, mergeRegister: boolean): Factory {
  return (raw) => {
    const [d, s] = raw.ops;
    const what = raw.mnemonic;
    const n = bytes >> 2;
    if (d.kind === OP_XMM) {
      const dr = d.reg * 8;
      if (s.kind === OP_XMM || s.kind === OP_MEM) {
        const merge = mergeRegister && s.kind === OP_XMM;
        return (cpu, i) => {
          checkSse(cpu, what);
          load(cpu, i, s, bytes, 0);
          const x = cpu.xmm;
          for (let k = 0; k < n; k++) x[dr + k] = src[k];
          if (!merge) for (let k = n; k < 4; k++) x[dr + k] = 0;
          cpu.xinuse |= XCR0_SSE;
        };
      }
      const sr = s.reg;
      return (cpu) => {
        checkSse(cpu, what);
        const x = cpu.xmm;
        x[dr] = cpu.lo[sr];
        x[dr + 1] = n === 2 ? cpu.hi[sr] : 0;
        x[dr + 2] = 0;
        x[dr + 3] = 0;
        cpu.xinuse |= XCR0_SSE;
      };
    }
    const sr = s.reg * 8;
    if (d.kind === OP_MEM) {
      return (cpu, i) => {
        checkSse(cpu, what);
        store(cpu, i, cpu.xmm, sr, bytes, 0);
      };
    }
    const dr = d.reg;
    return (cpu) => {
      checkSse(cpu, what);
      cpu.lo[dr] = cpu.xmm[sr];
      cpu.hi[dr] = n === 2 ? cpu.xmm[sr + 1] : 0;
    };
  };
}


/** A packed operation dest = dest OP source over 128 bits; legacy m128 operands must be 16-byte aligned. */
function packed(op: (x: Int32Array, d: number, s: Int32Array) => void): Factory {
  return (raw) => {
    const [d, s] = raw.ops;
    if (d.kind !== OP_XMM) return undefinedForm(raw, 'unexpected destination');
    const dr = d.reg * 8;
    const what = raw.mnemonic;
    return (cpu, i) => {
      checkSse(cpu, what);
      load(cpu, i, s, 16, 16);
      op(cpu.xmm, dr, src);
      cpu.xinuse |= XCR0_SSE;
    };
  };
}

const xor = packed((x, d, s) => {
  x[d] ^= s[0];
  x[d + 1] ^= s[1];
  x[d + 2] ^= s[2];
  x[d + 3] ^= s[3];
});

const paddb = packed((x, d, s) => {
  for (let k = 0; k < 4; k++) x[d + k] = ((x[d + k] & 0x7f7f7f7f) + (s[k] & 0x7f7f7f7f)) ^ ((x[d + k] ^ s[k]) & 0x80808080);
});
const paddw = packed((x, d, s) => {
  for (let k = 0; k < 4; k++) x[d + k] = ((x[d + k] & 0x7fff7fff) + (s[k] & 0x7fff7fff)) ^ ((x[d + k] ^ s[k]) & 0x80008000);
});
const paddd = packed((x, d, s) => {
  for (let k = 0; k < 4; k++) x[d + k] = (x[d + k] + s[k]) | 0;
});
const paddq = packed((x, d, s) => {
  for (let k = 0; k < 4; k += 2) {
    const lo = (x[d + k] >>> 0) + (s[k] >>> 0);
    x[d + k + 1] = (x[d + k + 1] + s[k + 1] + (lo > 0xffffffff ? 1 : 0)) | 0;
    x[d + k] = lo | 0;
  }
});

const PRE = 3; // invalid and denormal: detected before the computation

/**
 * Applies the lanes' flags to MXCSR (SDM Vol. 1, 11.5.2): an unmasked pre-computation exception
 * sets only the pre-computation flags; any unmasked exception raises #XM and leaves the
 * destination unwritten.
 */
function settle(cpu: Cpu, what: string, pre: number, all: number): void {
  const masks = (cpu.mxcsr >> MX_MASK_SHIFT) & 0x3f;
  if (pre & ~masks) {
    cpu.mxcsr |= pre;
    raiseSimd(cpu, what, pre & ~masks);
  }
  cpu.mxcsr |= all;
  if (all & ~masks) raiseSimd(cpu, what, all & ~masks);
}

const addps: Factory = (raw) => {
  const [d, s] = raw.ops;
  const dr = d.reg * 8;
  const what = raw.mnemonic;
  return (cpu, i) => {
    checkSse(cpu, what);
    load(cpu, i, s, 16, 16);
    const mx = cpu.mxcsr;
    let all = 0;
    for (let k = 0; k < 4; k++) {
      res[k] = add32(cpu.xmm[dr + k], src[k], mx);
      all |= laneFlags;
    }
    settle(cpu, what, all & PRE, all);
    for (let k = 0; k < 4; k++) cpu.xmm[dr + k] = res[k];
    cpu.xinuse |= XCR0_SSE;
  };
};

const addsd: Factory = (raw) => {
  const [d, s] = raw.ops;
  const dr = d.reg * 8;
  const what = raw.mnemonic;
  return (cpu, i) => {
    checkSse(cpu, what);
    load(cpu, i, s, 8, 0);
    add64(cpu.xmm[dr], cpu.xmm[dr + 1], src[0], src[1], cpu.mxcsr, res, 0);
    const all = laneFlags;
    settle(cpu, what, all & PRE, all);
    cpu.xmm[dr] = res[0];
    cpu.xmm[dr + 1] = res[1];
    cpu.xinuse |= XCR0_SSE;
  };
};

const ldmxcsr: Factory = (raw) => {
  const what = raw.mnemonic;
  return (cpu, i) => {
    checkSse(cpu, what);
    const v = cpu.mem.read32(cpu.ea(i.mem!, 4));
    checkMxcsr(v, what);
    cpu.mxcsr = v;
  };
};

const stmxcsr: Factory = (raw) => {
  const what = raw.mnemonic;
  const exec: Exec = (cpu, i) => {
    checkSse(cpu, what);
    cpu.mem.write32(cpu.ea(i.mem!, 4), cpu.mxcsr);
  };
  return exec;
};

export const sseOps: Record<string, Factory> = {
  MOVAPS: fullMove(true),
  MOVUPS: fullMove(false),
  MOVDQA: fullMove(true),
  MOVDQU: fullMove(false),
  VMOVAPS: fullMove(true),
  VMOVDQU: fullMove(false),
  MOVSS: scalarMove(4, true),
  MOVSD: scalarMove(8, true),
  MOVD: scalarMove(4, false),
  // MOVQ's encodings (F3 0F 7E, 66 0F D6, 66 REX.W 0F 6E/7E) all zero bits 127:64 of an XMM destination.
  MOVQ: scalarMove(8, false),
  PXOR: xor,
  XORPS: xor,
  PADDB: paddb,
  PADDW: paddw,
  PADDD: paddd,
  PADDQ: paddq,
  ADDPS: addps,
  ADDSD: addsd,
  LDMXCSR: ldmxcsr,
  STMXCSR: stmxcsr,
};

/**
 * SHL/SAL SHR SAR ROL ROR RCL RCR SHLD SHRD (Intel SDM Vol. 2B, SAL/SAR/SHL/SHR, RCL/RCR/ROL/ROR,
 * SHLD, SHRD). Counts are masked to 5 bits (6 with a 64-bit operand); a masked count of zero
 * changes no flags. Where the SDM leaves OF undefined (counts above 1) it is computed with the
 * count-1 formula on the final result, and AF is cleared, as on the host AMD processor.
 */
import type { Cpu } from '../cpu/state.ts';
import { CF, OF, PARITY, SF, STATUS, ZF } from '../cpu/flags.ts';
import { OP_IMM, OP_REG, type Operand } from '../decode/insn.ts';
import { addressOf, readBig, writeBig, type Factory } from './operands.ts';

const countOf = (cpu: Cpu, op: Operand | undefined): number =>
  op === undefined ? 1 : op.kind === OP_IMM ? op.immLo & 0xff : op.kind === OP_REG ? cpu.lo[op.reg] & 0xff : 1;

function resultFlags(r: bigint, n: number): number {
  return (r === 0n ? ZF : 0) | ((r >> BigInt(n - 1)) & 1n ? SF : 0) | PARITY[Number(r & 0xffn)];
}

type Shift = (v: bigint, c: number, n: number, cf: number) => { r: bigint; cf: number; of: number; szp: boolean };

const bit = (v: bigint, k: number): number => (k < 0 ? 0 : Number((v >> BigInt(k)) & 1n));

const shl: Shift = (v, c, n) => {
  const r = BigInt.asUintN(n, v << BigInt(c));
  const cf = c <= n ? bit(v, n - c) : 0;
  return { r, cf, of: bit(r, n - 1) ^ cf, szp: true };
};
const shr: Shift = (v, c, n) => {
  const r = v >> BigInt(c);
  const cf = bit(v, c - 1);
  return { r, cf, of: c === 1 ? bit(v, n - 1) : bit(r, n - 1) ^ bit(r, n - 2), szp: true };
};
const sar: Shift = (v, c, n) => {
  const s = BigInt.asIntN(n, v);
  const r = BigInt.asUintN(n, s >> BigInt(c));
  const cf = Number((s >> BigInt(Math.min(c - 1, n - 1))) & 1n);
  return { r, cf, of: 0, szp: true };
};
const rol: Shift = (v, c, n) => {
  const t = c % n;
  const r = t === 0 ? v : BigInt.asUintN(n, (v << BigInt(t)) | (v >> BigInt(n - t)));
  const cf = Number(r & 1n);
  return { r, cf, of: bit(r, n - 1) ^ cf, szp: false };
};
const ror: Shift = (v, c, n) => {
  const t = c % n;
  const r = t === 0 ? v : BigInt.asUintN(n, (v >> BigInt(t)) | (v << BigInt(n - t)));
  return { r, cf: bit(r, n - 1), of: bit(r, n - 1) ^ bit(r, n - 2), szp: false };
};
const rcl: Shift = (v, c, n, cfIn) => {
  const t = n <= 16 ? c % (n + 1) : c;
  const wide = (BigInt(cfIn) << BigInt(n)) | v;
  const w = n + 1;
  const rot = t === 0 ? wide : BigInt.asUintN(w, (wide << BigInt(t)) | (wide >> BigInt(w - t)));
  const r = BigInt.asUintN(n, rot);
  const cf = bit(rot, n);
  return { r, cf, of: bit(r, n - 1) ^ cf, szp: false };
};
const rcr: Shift = (v, c, n, cfIn) => {
  const t = n <= 16 ? c % (n + 1) : c;
  const wide = (BigInt(cfIn) << BigInt(n)) | v;
  const w = n + 1;
  const rot = t === 0 ? wide : BigInt.asUintN(w, (wide >> BigInt(t)) | (wide << BigInt(w - t)));
  const r = BigInt.asUintN(n, rot);
  const cf = bit(rot, n);
  return { r, cf, of: bit(r, n - 1) ^ bit(r, n - 2), szp: false };
};

function shiftOp(fn: Shift): Factory {
  return (raw) => {
    const [d, cOp] = raw.ops;
    const size = d.size;
    const n = size * 8;
    const countMask = n === 64 ? 63 : 31;
    return (cpu, i) => {
      const c = countOf(cpu, cOp) & countMask;
      const a = addressOf(cpu, i, size);
      const v = readBig(cpu, d, a, size);
      if (c === 0) {
        // The operand is still read (and written back) for a zero count; nothing changes.
        writeBig(cpu, d, a, size, v);
        return;
      }
      const cfIn = cpu.flags & CF;
      const res = fn(v, c, n, cfIn);
      writeBig(cpu, d, a, size, res.r);
      const of = res.of;
      if (res.szp) cpu.flags = (cpu.flags & ~STATUS) | (res.cf ? CF : 0) | (of ? OF : 0) | resultFlags(res.r, n);
      else cpu.flags = (cpu.flags & ~(CF | OF)) | (res.cf ? CF : 0) | (of ? OF : 0);
    };
  };
}

/** SHLD/SHRD: count masked to 5/6 bits; with a 16-bit operand and a count above 16 the source repeats (dest:src:src for SHLD, src:src:dest for SHRD), as the host AMD processor does. */
function doubleShift(left: boolean): Factory {
  return (raw) => {
    const [d, s, cOp] = raw.ops;
    const size = d.size;
    const n = size * 8;
    const N = BigInt(n);
    return (cpu, i) => {
      const c = countOf(cpu, cOp) & (n === 64 ? 63 : 31);
      const a = addressOf(cpu, i, size);
      const v = readBig(cpu, d, a, size);
      if (c === 0) {
        writeBig(cpu, d, a, size, v);
        return;
      }
      const src = readBig(cpu, s, a, size);
      const C = BigInt(c);
      let r: bigint;
      let cf: number;
      if (left) {
        const wide = (v << (2n * N)) | (src << N) | src;
        r = BigInt.asUintN(n, (wide << C) >> (2n * N));
        cf = bit(wide, 3 * n - c);
      } else {
        const wide = (src << (2n * N)) | (src << N) | v;
        r = BigInt.asUintN(n, wide >> C);
        cf = bit(wide, c - 1);
      }
      // A count beyond a 16-bit operand leaves CF clear on the host AMD processor (the SDM leaves it undefined).
      if (c > n) cf = 0;
      writeBig(cpu, d, a, size, r);
      const of = bit(r, n - 1) ^ bit(v, n - 1);
      cpu.flags = (cpu.flags & ~STATUS) | (cf ? CF : 0) | (of ? OF : 0) | resultFlags(r, n);
    };
  };
}

export const shiftOps: Record<string, Factory> = {
  SHL: shiftOp(shl),
  SAL: shiftOp(shl),
  SHR: shiftOp(shr),
  SAR: shiftOp(sar),
  ROL: shiftOp(rol),
  ROR: shiftOp(ror),
  RCL: shiftOp(rcl),
  RCR: shiftOp(rcr),
};
shiftOps.SHLD = doubleShift(true);
shiftOps.SHRD = doubleShift(false);


/** BT BTS BTR BTC (register and memory bit strings), BSF BSR, TZCNT LZCNT POPCNT. */
import type { Cpu } from '../cpu/state.ts';
import { CF, STATUS, ZF } from '../arch/rflags.ts';
import { MemRef, OP_IMM, OP_MEM } from '../cpu/insn.ts';
import { addressOf, read64, read, write, write64, setReg, type Factory } from './operands.ts';

const TEST = 0;
const SET = 1;
const RESET = 2;
const COMPLEMENT = 3;

/**
 * BT family: CF = the selected bit; ZF unaffected; OF, SF, AF, PF left unchanged. A register bit
 * offset with a memory operand is signed and may address outside the operand (Intel SDM Vol. 2A,
 * BT: bit-string addressing); an immediate offset is taken modulo the operand width.
 */
function bitTest(action: number): Factory {
  return (raw) => {
    const [d, s] = raw.ops;
    const size = d.size;
    const n = size * 8;
    return (cpu, i) => {
      // The bit number within the operand, and (for a register offset into memory) the signed word index.
      let bitNo: number;
      let word = 0;
      if (s.kind === OP_IMM) bitNo = s.immLo & (n - 1);
      else {
        const lo = cpu.lo[s.reg];
        bitNo = lo & (n - 1);
        if (size === 8) word = cpu.hi[s.reg] * 67108864 + (lo >>> 6);
        else if (size === 4) word = lo >> 5;
        else word = ((lo << 16) >> 16) >> 4;
      }
      let a = 0;
      if (d.kind === OP_MEM) a = s.kind === OP_IMM ? addressOf(cpu, i, size) : addressAt(cpu, i, size, word * size);
      if (size === 8) {
        let lo = read64(cpu, d, a);
        let hi = cpu.tHi;
        const inHi = bitNo >= 32;
        const m = 1 << (bitNo & 31);
        const was = ((inHi ? hi : lo) & m) !== 0;
        cpu.flags = (cpu.flags & ~CF) | (was ? CF : 0);
        if (action === TEST) return;
        const apply = (v: number) => (action === SET ? v | m : action === RESET ? v & ~m : v ^ m);
        if (inHi) hi = apply(hi);
        else lo = apply(lo);
        write64(cpu, d, a, lo, hi);
        return;
      }
      const v = read(cpu, d, a);
      const m = 2 ** bitNo;
      const was = Math.floor(v / m) % 2 === 1;
      cpu.flags = (cpu.flags & ~CF) | (was ? CF : 0);
      if (action === TEST) return;
      const next = action === SET ? v | m : action === RESET ? v & ~m : v ^ m;
      write(cpu, d, a, next >>> 0);
    };
  };
}

/** The memory operand's address displaced by `delta` bytes (bit-string addressing). */
function addressAt(cpu: Cpu, i: Parameters<typeof addressOf>[1], size: number, delta: number): number {
  const m = i.mem!;
  const shifted = new MemRef(m.base, m.index, m.scale, m.disp + delta, m.seg, m.addrBits, m.size);
  return cpu.ea(shifted, size);
}

const clz32 = Math.clz32;
const ctz32 = (v: number): number => (v === 0 ? 32 : 31 - clz32(v & -v));

/** Returns [lowest set bit, highest set bit] of an operand, or -1s when it is zero. */
function scan(cpu: Cpu, raw: { size: number }, op: Parameters<typeof read>[1], a: number): [number, number] {
  if (raw.size === 8) {
    const lo = read64(cpu, op, a);
    const hi = cpu.tHi;
    if ((lo | hi) === 0) return [-1, -1];
    const low = lo !== 0 ? ctz32(lo) : 32 + ctz32(hi);
    const high = hi !== 0 ? 63 - clz32(hi) : 31 - clz32(lo);
    return [low, high];
  }
  const v = read(cpu, op, a);
  if (v === 0) return [-1, -1];
  return [ctz32(v), 31 - clz32(v)];
}

/** BSF/BSR: a zero source sets ZF and leaves the destination unchanged (as AMD documents and Intel processors do). */
function bitScan(reverse: boolean): Factory {
  return (raw) => {
    const [d, s] = raw.ops;
    const size = d.size;
    return (cpu, i) => {
      const a = addressOf(cpu, i, size);
      const [low, high] = scan(cpu, { size }, s, a);
      if (low < 0) {
        cpu.flags |= ZF;
        return;
      }
      cpu.flags &= ~ZF;
      setReg(cpu, d.reg, size, reverse ? high : low, 0);
    };
  };
}

/** TZCNT/LZCNT: CF = source is zero, ZF = result is zero. */
function count(leading: boolean): Factory {
  return (raw) => {
    const [d, s] = raw.ops;
    const size = d.size;
    const n = size * 8;
    return (cpu, i) => {
      const a = addressOf(cpu, i, size);
      const [low, high] = scan(cpu, { size }, s, a);
      const result = low < 0 ? n : leading ? n - 1 - high : low;
      setReg(cpu, d.reg, size, result, 0);
      cpu.flags = (cpu.flags & ~(CF | ZF)) | (low < 0 ? CF : 0) | (result === 0 ? ZF : 0);
    };
  };
}

const popcnt32 = (v: number): number => {
  v = v - ((v >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
};

/** POPCNT: ZF = source is zero; OF SF AF CF PF cleared. */
const popcnt: Factory = (raw) => {
  const [d, s] = raw.ops;
  const size = d.size;
  return (cpu, i) => {
    const a = addressOf(cpu, i, size);
    let result: number;
    if (size === 8) {
      const lo = read64(cpu, s, a);
      result = popcnt32(lo) + popcnt32(cpu.tHi);
    } else result = popcnt32(read(cpu, s, a));
    setReg(cpu, d.reg, size, result, 0);
    cpu.flags = (cpu.flags & ~STATUS) | (result === 0 ? ZF : 0);
  };
};

export const bitsOps: Record<string, Factory> = {
  BT: bitTest(TEST),
  BTS: bitTest(SET),
  BTR: bitTest(RESET),
  BTC: bitTest(COMPLEMENT),
  BSF: bitScan(false),
  BSR: bitScan(true),
  TZCNT: count(false),
  LZCNT: count(true),
  POPCNT: popcnt,
};


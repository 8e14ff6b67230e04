/** Width-generic operand access shared by every family. Values of 1, 2 and 4 bytes are unsigned numbers; 8-byte values are int32 halves (low returned, high in cpu.tHi). */
import type { Cpu } from '../cpu/state.ts';
import type { RawInsn } from '../decode/iced.ts';
import { OP_IMM, OP_MEM, OP_REG, type Exec, type Insn, type Operand } from '../cpu/insn.ts';
import { invalidOpcode } from '../arch/faults.ts';

export type Factory = (raw: RawInsn) => Exec;

/** The linear address of the instruction's memory operand (0 when it has none). */
export function addressOf(cpu: Cpu, insn: Insn, size: number): number {
  return insn.mem === null ? 0 : cpu.ea(insn.mem, size);
}

export function read(cpu: Cpu, op: Operand, addr: number): number {
  switch (op.kind) {
    case OP_REG: {
      const v = cpu.lo[op.reg];
      return op.size === 4 ? v >>> 0 : op.size === 2 ? v & 0xffff : op.high ? (v >> 8) & 0xff : op.size === 8 ? v >>> 0 : v & 0xff;
    }
    case OP_MEM:
      return op.size === 4 ? cpu.mem.read32(addr) >>> 0 : op.size === 2 ? cpu.mem.read16(addr) : cpu.mem.read8(addr);
    default:
      return op.size === 1 ? op.immLo & 0xff : op.size === 2 ? op.immLo & 0xffff : op.immLo >>> 0;
  }
}

/** Reads a value of `size` bytes (1, 2 or 4) from an operand, truncating or extending immediates to that size. */
export function readSized(cpu: Cpu, op: Operand, addr: number, size: number): number {
  if (op.kind === OP_IMM) return size === 1 ? op.immLo & 0xff : size === 2 ? op.immLo & 0xffff : op.immLo >>> 0;
  return read(cpu, op, addr);
}

/** Writes a 1, 2 or 4-byte value; a 4-byte register write zero-extends into the upper half (Intel SDM Vol. 1, 3.4.1.1). */
export function write(cpu: Cpu, op: Operand, addr: number, value: number): void {
  if (op.kind === OP_REG) {
    const r = op.reg;
    switch (op.size) {
      case 4:
        cpu.lo[r] = value;
        cpu.hi[r] = 0;
        return;
      case 2:
        cpu.lo[r] = (cpu.lo[r] & ~0xffff) | (value & 0xffff);
        return;
      default:
        if (op.high) cpu.lo[r] = (cpu.lo[r] & ~0xff00) | ((value & 0xff) << 8);
        else cpu.lo[r] = (cpu.lo[r] & ~0xff) | (value & 0xff);
        return;
    }
  }
  if (op.size === 4) cpu.mem.write32(addr, value);
  else if (op.size === 2) cpu.mem.write16(addr, value);
  else cpu.mem.write8(addr, value);
}

export function read64(cpu: Cpu, op: Operand, addr: number): number {
  switch (op.kind) {
    case OP_REG:
      cpu.tHi = cpu.hi[op.reg];
      return cpu.lo[op.reg];
    case OP_MEM: {
      const lo = cpu.mem.read64(addr);
      cpu.tHi = cpu.mem.hi;
      return lo;
    }
    default:
      cpu.tHi = op.immHi;
      return op.immLo;
  }
}

export function write64(cpu: Cpu, op: Operand, addr: number, lo: number, hi: number): void {
  if (op.kind === OP_REG) {
    cpu.lo[op.reg] = lo;
    cpu.hi[op.reg] = hi;
  } else cpu.mem.write64(addr, lo, hi);
}

/** Writes a register of `size` bytes by index (for implicit operands such as RAX/RDX). */
export function setReg(cpu: Cpu, r: number, size: number, lo: number, hi = 0): void {
  switch (size) {
    case 8:
      cpu.lo[r] = lo;
      cpu.hi[r] = hi;
      return;
    case 4:
      cpu.lo[r] = lo;
      cpu.hi[r] = 0;
      return;
    case 2:
      cpu.lo[r] = (cpu.lo[r] & ~0xffff) | (lo & 0xffff);
      return;
    default:
      cpu.lo[r] = (cpu.lo[r] & ~0xff) | (lo & 0xff);
  }
}

/** Reads a register of `size` (1, 2, 4) as unsigned. */
export function getReg(cpu: Cpu, r: number, size: number): number {
  const v = cpu.lo[r];
  return size === 4 ? v >>> 0 : size === 2 ? v & 0xffff : v & 0xff;
}

/** An operand value as an unsigned bigint (for the few wide computations: 64-bit MUL/DIV, rotates). */
export function readBig(cpu: Cpu, op: Operand, addr: number, size: number): bigint {
  if (size === 8) {
    const lo = read64(cpu, op, addr);
    return (BigInt(cpu.tHi >>> 0) << 32n) | BigInt(lo >>> 0);
  }
  return BigInt(readSized(cpu, op, addr, size));
}

export function regBig(cpu: Cpu, r: number, size: number): bigint {
  if (size === 8) return (BigInt(cpu.hi[r] >>> 0) << 32n) | BigInt(cpu.lo[r] >>> 0);
  return BigInt(getReg(cpu, r, size));
}

export function setRegBig(cpu: Cpu, r: number, size: number, value: bigint): void {
  const v = BigInt.asUintN(64, value);
  setReg(cpu, r, size, Number(v & 0xffffffffn) | 0, Number(v >> 32n) | 0);
}

/** A handler for a form we decode but refuse, e.g. a register operand where only memory is valid. */
export const undefinedForm = (raw: RawInsn, why: string): Exec => {
  const reason = `${raw.mnemonic}: ${why}`;
  return () => {
    throw invalidOpcode(reason);
  };
};

export const signExtend = (value: number, size: number): number =>
  size === 1 ? (value << 24) >> 24 : size === 2 ? (value << 16) >> 16 : value | 0;

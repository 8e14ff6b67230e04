/**
 * MOVS STOS LODS CMPS SCAS INS OUTS with REP/REPE/REPNE and DF (Intel SDM Vol. 2B, REP/REPE/REPZ/REPNE/REPNZ).
 * A repeated instruction runs in slices: after a slice of iterations with work left, RIP is
 * moved back to the instruction so the run loop's budget applies, as an interrupt between
 * iterations would on hardware; the slice does not count as a retired instruction.
 */
import type { Cpu } from '../cpu/state.ts';
import { isCanonical } from '../cpu/state.ts';
import { DF, ZF } from '../arch/rflags.ts';
import { generalProtection, hex, stackFault } from '../arch/faults.ts';
import { checkIoPermission } from './io-permission.ts';
import { type Insn } from '../cpu/insn.ts';
import { SEG_DS, SEG_ES, SEG_FS, SEG_SS } from '../arch/segments.ts';
import { CMP, alu, alu64 } from './alu.ts';
import { getReg, setReg, type Factory } from './operands.ts';
import { TWO32 } from '../arch/registers.ts';

const RAX = 0;
const RCX = 1;
const RDX = 2;
const RSI = 6;
const RDI = 7;
/** Iterations per slice of a repeated string instruction. */
const REP_SLICE = 4096;

function indexOf(cpu: Cpu, r: number, bits: number): number {
  if (bits === 64) return cpu.hi[r] * TWO32 + (cpu.lo[r] >>> 0);
  return bits === 32 ? cpu.lo[r] >>> 0 : cpu.lo[r] & 0xffff;
}

function advance(cpu: Cpu, r: number, bits: number, delta: number): void {
  if (bits === 64) {
    const lo = (cpu.lo[r] >>> 0) + delta;
    const carry = Math.floor(lo / TWO32);
    cpu.lo[r] = lo - carry * TWO32;
    cpu.hi[r] = (cpu.hi[r] + carry) | 0;
  } else if (bits === 32) setReg(cpu, r, 4, (cpu.lo[r] + delta) | 0);
  else setReg(cpu, r, 2, (cpu.lo[r] + delta) & 0xffff);
}

const INDEX_NAMES: Record<number, string> = { 6: 'SI', 7: 'DI' };

function linear(cpu: Cpu, seg: number, offset: number, size: number, bits: number, index: number): number {
  if (cpu.codeBits === 64) {
    const a = (bits === 64 && seg < SEG_FS) ? offset : offset + (seg >= SEG_FS ? cpu.seg[seg].base : 0);
    if (!isCanonical(a)) {
      const why = `the string address in ${bits === 64 ? 'R' : bits === 32 ? 'E' : ''}${INDEX_NAMES[index]} (${hex(a)}) is not canonical`;
      throw seg === SEG_SS ? stackFault(0, why) : generalProtection(0, why);
    }
    return a;
  }
  return cpu.segmented(seg, offset, size);
}

function load(cpu: Cpu, a: number, size: number): number {
  switch (size) {
    case 1: return cpu.mem.read8(a);
    case 2: return cpu.mem.read16(a);
    case 4: return cpu.mem.read32(a) >>> 0;
    default: {
      const lo = cpu.mem.read64(a);
      cpu.tHi = cpu.mem.hi;
      return lo;
    }
  }
}

function store(cpu: Cpu, a: number, size: number, lo: number, hi: number): void {
  switch (size) {
    case 1: cpu.mem.write8(a, lo); return;
    case 2: cpu.mem.write16(a, lo); return;
    case 4: cpu.mem.write32(a, lo); return;
    default: cpu.mem.write64(a, lo, hi);
  }
}

type Kind = 'movs' | 'stos' | 'lods' | 'cmps' | 'scas' | 'ins' | 'outs';

/** One iteration; returns false when a REPE/REPNE condition ends the repetition. */
function iterate(cpu: Cpu, kind: Kind, size: number, bits: number, srcSeg: number): void {
  const delta = cpu.flags & DF ? -size : size;
  switch (kind) {
    case 'ins': {
      // The permission check comes before the memory access (SDM Vol. 2A, INS).
      const port = cpu.lo[RDX] & 0xffff;
      checkIoPermission(cpu, port, size, size === 1 ? 'INSB' : size === 2 ? 'INSW' : 'INSD');
      const a = linear(cpu, SEG_ES, indexOf(cpu, RDI, bits), size, bits, RDI);
      store(cpu, a, size, cpu.io.read(port, size), 0);
      advance(cpu, RDI, bits, delta);
      return;
    }
    case 'outs': {
      const port = cpu.lo[RDX] & 0xffff;
      checkIoPermission(cpu, port, size, size === 1 ? 'OUTSB' : size === 2 ? 'OUTSW' : 'OUTSD');
      cpu.io.write(port, load(cpu, linear(cpu, srcSeg, indexOf(cpu, RSI, bits), size, bits, RSI), size));
      advance(cpu, RSI, bits, delta);
      return;
    }
    case 'movs': {
      const v = load(cpu, linear(cpu, srcSeg, indexOf(cpu, RSI, bits), size, bits, RSI), size);
      const hi = cpu.tHi;
      store(cpu, linear(cpu, SEG_ES, indexOf(cpu, RDI, bits), size, bits, RDI), size, v, hi);
      advance(cpu, RSI, bits, delta);
      advance(cpu, RDI, bits, delta);
      return;
    }
    case 'stos':
      store(cpu, linear(cpu, SEG_ES, indexOf(cpu, RDI, bits), size, bits, RDI), size, cpu.lo[RAX], cpu.hi[RAX]);
      advance(cpu, RDI, bits, delta);
      return;
    case 'lods': {
      const v = load(cpu, linear(cpu, srcSeg, indexOf(cpu, RSI, bits), size, bits, RSI), size);
      setReg(cpu, RAX, size, v, cpu.tHi);
      advance(cpu, RSI, bits, delta);
      return;
    }
    case 'cmps': {
      // CMPS compares [rSI] - [rDI] (the first operand is the source string).
      const a = load(cpu, linear(cpu, srcSeg, indexOf(cpu, RSI, bits), size, bits, RSI), size);
      const ah = cpu.tHi;
      const b = load(cpu, linear(cpu, SEG_ES, indexOf(cpu, RDI, bits), size, bits, RDI), size);
      if (size === 8) alu64(cpu, CMP, a, ah, b, cpu.tHi);
      else alu(cpu, CMP, a, b, size);
      advance(cpu, RSI, bits, delta);
      advance(cpu, RDI, bits, delta);
      return;
    }
    default: {
      const b = load(cpu, linear(cpu, SEG_ES, indexOf(cpu, RDI, bits), size, bits, RDI), size);
      if (size === 8) alu64(cpu, CMP, cpu.lo[RAX], cpu.hi[RAX], b, cpu.tHi);
      else alu(cpu, CMP, getReg(cpu, RAX, size), b, size);
      advance(cpu, RDI, bits, delta);
    }
  }
}

function countIsZero(cpu: Cpu, bits: number): boolean {
  if (bits === 64) return (cpu.lo[RCX] | cpu.hi[RCX]) === 0;
  return bits === 32 ? cpu.lo[RCX] === 0 : (cpu.lo[RCX] & 0xffff) === 0;
}

function stringOp(kind: Kind, size: number): Factory {
  const conditional = kind === 'cmps' || kind === 'scas';
  return (raw) => {
    const bits = raw.addrBits;
    const srcSeg = raw.segPrefix >= 0 ? raw.segPrefix : SEG_DS;
    const rep = raw.rep;
    if (rep === 0) return (cpu) => iterate(cpu, kind, size, bits, srcSeg);
    return (cpu: Cpu, i: Insn) => {
      for (let n = 0; ; n++) {
        if (countIsZero(cpu, bits)) return;
        if (n === REP_SLICE) {
          cpu.rip -= i.length;
          cpu.repSlices++;
          return;
        }
        iterate(cpu, kind, size, bits, srcSeg);
        advance(cpu, RCX, bits, -1);
        if (conditional && ((rep === 1) !== ((cpu.flags & ZF) !== 0))) return;
      }
    };
  };
}

export const stringOps: Record<string, Factory> = {};
for (const [kind, letters] of [['movs', 'MOVS'], ['stos', 'STOS'], ['lods', 'LODS'], ['cmps', 'CMPS'], ['scas', 'SCAS']] as const) {
  for (const [suffix, size] of [['B', 1], ['W', 2], ['D', 4], ['Q', 8]] as const) {
    stringOps[letters + suffix] = stringOp(kind, size);
  }
}
for (const [suffix, size] of [['B', 1], ['W', 2], ['D', 4]] as const) {
  stringOps['INS' + suffix] = stringOp('ins', size);
  stringOps['OUTS' + suffix] = stringOp('outs', size);
}

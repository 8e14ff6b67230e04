/** MOV (all forms), MOVZX, MOVSX, MOVSXD, CMOVcc, XCHG, XADD, CMPXCHG, CMPXCHG8B/16B, BSWAP, LEA, MOVBE. */
import type { Cpu } from '../cpu/state.ts';
import { testCondition, ZF } from '../arch/rflags.ts';
import { generalProtection } from '../arch/faults.ts';
import { OP_CR, OP_DR, OP_IMM, OP_MEM, OP_REG, OP_SEG, type Exec, type Insn } from '../cpu/insn.ts';
import { movControl } from './control-registers.ts';
import { ADD, CMP, alu, alu64 } from './alu.ts';
import { addressOf, getReg, read, read64, readSized, setReg, signExtend, undefinedForm, write, write64, type Factory } from './operands.ts';
import { loadSegment } from './segments.ts';

const mov: Factory = (raw) => {
  const [d, s] = raw.ops;
  if (d.kind === OP_SEG || s.kind === OP_SEG) return movSeg(raw.ops[0].kind === OP_SEG, raw);
  if (d.kind === OP_CR || d.kind === OP_DR || s.kind === OP_CR || s.kind === OP_DR) return movControl(raw);
  const size = d.size;
  if (size === 8) {
    if (d.kind === OP_REG && s.kind === OP_MEM) {
      const dr = d.reg;
      return (cpu, i) => {
        const m = cpu.mem;
        cpu.lo[dr] = m.read64(cpu.ea(i.mem!, 8));
        cpu.hi[dr] = m.hi;
      };
    }
    if (d.kind === OP_MEM && s.kind === OP_REG) {
      const sr = s.reg;
      return (cpu, i) => cpu.mem.write64(cpu.ea(i.mem!, 8), cpu.lo[sr], cpu.hi[sr]);
    }
    if (d.kind === OP_REG && s.kind === OP_REG) {
      const dr = d.reg;
      const sr = s.reg;
      return (cpu) => {
        cpu.lo[dr] = cpu.lo[sr];
        cpu.hi[dr] = cpu.hi[sr];
      };
    }
    return (cpu, i) => {
      const a = addressOf(cpu, i, 8);
      const lo = read64(cpu, s, a);
      write64(cpu, d, a, lo, cpu.tHi);
    };
  }
  if (size === 4 && d.kind === OP_REG && s.kind === OP_REG) {
    const dr = d.reg;
    const sr = s.reg;
    return (cpu) => {
      cpu.lo[dr] = cpu.lo[sr];
      cpu.hi[dr] = 0;
    };
  }
  if (size === 4 && d.kind === OP_REG && s.kind === OP_IMM) {
    const dr = d.reg;
    const v = s.immLo;
    return (cpu) => {
      cpu.lo[dr] = v;
      cpu.hi[dr] = 0;
    };
  }
  return (cpu, i) => {
    const a = addressOf(cpu, i, size);
    write(cpu, d, a, readSized(cpu, s, a, size));
  };
};

/** MOV to or from a segment register. Reading stores the selector (zero-extended into a 32/64-bit register). */
function movSeg(toSeg: boolean, raw: Parameters<Factory>[0]): Exec {
  const [d, s] = raw.ops;
  if (toSeg) {
    const sreg = d.reg;
    if (sreg === 1) return undefinedForm(raw, 'CS cannot be loaded with MOV');
    return (cpu, i) => {
      const a = addressOf(cpu, i, 2);
      loadSegment(cpu, sreg, read(cpu, { ...s, size: 2 } as typeof s, a) & 0xffff);
      // MOV SS inhibits interrupts and debug traps until after the next instruction (SDM Vol. 3A, 6.8.3).
      if (sreg === 2) cpu.ssShadowAt = cpu.steps + 1;
    };
  }
  const sreg = s.reg;
  return (cpu, i) => {
    const sel = cpu.seg[sreg].selector;
    if (d.kind === OP_MEM) cpu.mem.write16(addressOf(cpu, i, 2), sel);
    else setReg(cpu, d.reg, d.size === 8 ? 4 : d.size, sel);
  };
}

function extend(signed: boolean): Factory {
  return (raw) => {
    const [d, s] = raw.ops;
    const from = s.size;
    const to = d.size;
    return (cpu, i) => {
      const a = addressOf(cpu, i, from);
      let v = read(cpu, s, a);
      if (signed) v = signExtend(v, from);
      if (to === 8) setReg(cpu, d.reg, 8, v | 0, signed && v < 0 ? -1 : 0);
      else setReg(cpu, d.reg, to, to === 4 ? v | 0 : v & 0xffff);
    };
  };
}

/** CMOVcc: the source is read (and may fault) whatever the condition; a 32-bit destination is zero-extended even when the condition is false (Intel SDM Vol. 2A, CMOVcc). */
const cmov: Factory = (raw) => {
  const [d, s] = raw.ops;
  const size = d.size;
  const cc = raw.cond;
  return (cpu, i) => {
    const a = addressOf(cpu, i, size);
    if (size === 8) {
      const lo = read64(cpu, s, a);
      if (testCondition(cc, cpu.flags)) setReg(cpu, d.reg, 8, lo, cpu.tHi);
    } else {
      const v = read(cpu, s, a);
      if (testCondition(cc, cpu.flags)) setReg(cpu, d.reg, size, v);
      else if (size === 4) cpu.hi[d.reg] = 0;
    }
  };
};

const xchg: Factory = (raw) => {
  const [d, s] = raw.ops;
  const size = d.size;
  return (cpu, i) => {
    const a = addressOf(cpu, i, size);
    if (size === 8) {
      const dl = read64(cpu, d, a);
      const dh = cpu.tHi;
      const sl = read64(cpu, s, a);
      const sh = cpu.tHi;
      write64(cpu, d, a, sl, sh);
      write64(cpu, s, a, dl, dh);
    } else {
      const dv = read(cpu, d, a);
      const sv = read(cpu, s, a);
      write(cpu, d, a, sv);
      write(cpu, s, a, dv);
    }
  };
};

/** XADD: temp = src + dest; src = dest; dest = temp. */
const xadd: Factory = (raw) => {
  const [d, s] = raw.ops;
  const size = d.size;
  return (cpu, i) => {
    const a = addressOf(cpu, i, size);
    if (size === 8) {
      const dl = read64(cpu, d, a);
      const dh = cpu.tHi;
      const sl = read64(cpu, s, a);
      const sum = alu64(cpu, ADD, dl, dh, sl, cpu.tHi);
      const sumHi = cpu.tHi;
      // The source register is written first: with the same register twice, the sum wins.
      write64(cpu, s, a, dl, dh);
      write64(cpu, d, a, sum, sumHi);
    } else {
      const dv = read(cpu, d, a);
      const sum = alu(cpu, ADD, dv, read(cpu, s, a), size);
      write(cpu, s, a, dv);
      write(cpu, d, a, sum);
    }
  };
};

/**
 * CMPXCHG: compare the accumulator with dest; equal: dest = src, else accumulator = dest. The
 * destination is written in both cases (the processor writes back the old value, Intel SDM Vol. 2A).
 */
const cmpxchg: Factory = (raw) => {
  const [d, s] = raw.ops;
  const size = d.size;
  return (cpu, i) => {
    const a = addressOf(cpu, i, size);
    if (size === 8) {
      const dl = read64(cpu, d, a);
      const dh = cpu.tHi;
      alu64(cpu, CMP, cpu.lo[0], cpu.hi[0], dl, dh);
      if (cpu.flags & ZF) {
        const sl = read64(cpu, s, a);
        write64(cpu, d, a, sl, cpu.tHi);
      } else {
        if (d.kind === OP_MEM) write64(cpu, d, a, dl, dh);
        cpu.lo[0] = dl;
        cpu.hi[0] = dh;
      }
    } else {
      const dv = read(cpu, d, a);
      alu(cpu, CMP, getReg(cpu, 0, size), dv, size);
      if (cpu.flags & ZF) write(cpu, d, a, read(cpu, s, a));
      else {
        // A memory destination is written back unchanged; a register destination is not written at all (its upper half survives).
        if (d.kind === OP_MEM) write(cpu, d, a, dv);
        setReg(cpu, 0, size, dv);
      }
    }
  };
};

/** CMPXCHG8B / CMPXCHG16B: compare EDX:EAX (RDX:RAX) with m64 (m128). */
function cmpxchgWide(bytes: 8 | 16): Factory {
  return (raw) => {
    if (raw.ops[0].kind !== OP_MEM) return undefinedForm(raw, 'the operand must be memory');
    return (cpu, i) => {
      const a = addressOf(cpu, i, bytes);
      if (bytes === 16 && a % 16 !== 0) throw generalProtection(0, `CMPXCHG16B: operand at ${a.toString(16)} is not 16-byte aligned`);
      const m = cpu.mem;
      const half = bytes / 2;
      const width = half === 4 ? 4 : 8;
      const rd = (at: number) => {
        if (width === 4) return [m.read32(at), 0];
        const lo = m.read64(at);
        return [lo, m.hi];
      };
      const [l0, h0] = rd(a);
      const [l1, h1] = rd(a + half);
      const eq = width === 4
        ? l0 === cpu.lo[0] && l1 === cpu.lo[2]
        : l0 === cpu.lo[0] && h0 === cpu.hi[0] && l1 === cpu.lo[2] && h1 === cpu.hi[2];
      m.probeWrite(a, bytes);
      if (eq) {
        if (width === 4) {
          m.write32(a, cpu.lo[3]);
          m.write32(a + 4, cpu.lo[1]);
        } else {
          m.write64(a, cpu.lo[3], cpu.hi[3]);
          m.write64(a + 8, cpu.lo[1], cpu.hi[1]);
        }
        cpu.flags |= ZF;
      } else {
        if (width === 4) {
          m.write32(a, l0);
          m.write32(a + 4, l1);
        } else {
          m.write64(a, l0, h0);
          m.write64(a + 8, l1, h1);
        }
        setReg(cpu, 0, width, l0, h0);
        setReg(cpu, 2, width, l1, h1);
        cpu.flags &= ~ZF;
      }
    };
  };
}

const swap32 = (v: number): number => ((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24);

/** BSWAP: with a 16-bit operand the result is undefined; this CPU clears the register's low word, as current processors do. */
const bswap: Factory = (raw) => {
  const [d] = raw.ops;
  const r = d.reg;
  if (d.size === 8) {
    return (cpu) => {
      const lo = cpu.lo[r];
      cpu.lo[r] = swap32(cpu.hi[r]);
      cpu.hi[r] = swap32(lo);
    };
  }
  if (d.size === 2) return (cpu) => setReg(cpu, r, 2, 0);
  return (cpu) => setReg(cpu, r, 4, swap32(cpu.lo[r]));
};

/** LEA: the effective address, truncated to the operand size; no segment, no access. */
const lea: Factory = (raw) => {
  const [d] = raw.ops;
  const m = raw.mem;
  if (!m || raw.ops[1].kind !== OP_MEM) return undefinedForm(raw, 'the source must be a memory operand');
  const size = d.size;
  return (cpu: Cpu, i: Insn) => {
    const ref = i.mem!;
    let lo = ref.dispLo;
    let hi = ref.dispHi;
    if (ref.base === 16) {
      const t = cpu.rip + ref.disp;
      hi = Math.floor(t / 4294967296);
      lo = t - hi * 4294967296;
    } else if (ref.base >= 0) {
      lo += cpu.lo[ref.base] >>> 0;
      hi += cpu.hi[ref.base];
    }
    if (ref.index >= 0) {
      lo += (cpu.lo[ref.index] >>> 0) * ref.scale;
      hi += cpu.hi[ref.index] * ref.scale;
    }
    const carry = Math.floor(lo / 4294967296);
    hi = (hi + carry) | 0;
    lo = (lo - carry * 4294967296) | 0;
    if (ref.addrBits === 32) hi = 0;
    else if (ref.addrBits === 16) {
      lo &= 0xffff;
      hi = 0;
    }
    setReg(cpu, d.reg, size, lo, hi);
  };
};

/** MOVBE: a load or store with the bytes reversed. */
const movbe: Factory = (raw) => {
  const [d, s] = raw.ops;
  const size = d.size;
  return (cpu, i) => {
    const a = addressOf(cpu, i, size);
    if (size === 8) {
      const lo = read64(cpu, s, a);
      write64(cpu, d, a, swap32(cpu.tHi), swap32(lo));
    } else {
      const v = read(cpu, s, a);
      write(cpu, d, a, size === 4 ? swap32(v) : ((v & 0xff) << 8) | (v >> 8));
    }
  };
};

const CMOV = ['CMOVO', 'CMOVNO', 'CMOVB', 'CMOVAE', 'CMOVE', 'CMOVNE', 'CMOVBE', 'CMOVA', 'CMOVS', 'CMOVNS', 'CMOVP', 'CMOVNP', 'CMOVL', 'CMOVGE', 'CMOVLE', 'CMOVG'];

export const moveOps: Record<string, Factory> = {
  MOV: mov,
  MOVZX: extend(false),
  MOVSX: extend(true),
  MOVSXD: extend(true),
  XCHG: xchg,
  XADD: xadd,
  CMPXCHG: cmpxchg,
  CMPXCHG8B: cmpxchgWide(8),
  CMPXCHG16B: cmpxchgWide(16),
  BSWAP: bswap,
  LEA: lea,
  MOVBE: movbe,
  ...Object.fromEntries(CMOV.map((m) => [m, cmov])),
};

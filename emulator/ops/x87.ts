/** x87: FLD, FST, FSTP (m32/m64/m80 and ST(i)), FNINIT, FNSTCW, FLDCW, FNSTSW (SDM Vol. 1, chapter 8). */
import type { Cpu } from '../cpu/state.ts';
import { checkPendingX87, checkX87, FCW_DEFAULT, FSW_B, FSW_C1, FSW_ES, FSW_IE, FSW_SF, FSW_TOP_SHIFT, FSW_UE, top, XCR0_X87 } from '../cpu/fpu.ts';
import { DOUBLE, F_DE, F_IE, F_OE, F_PE, F_UE, fromExtended, INDEFINITE, indefiniteBits, isTinyFor, ROUNDED_UP, SINGLE, toExtended, type Ext, type Format } from '../cpu/float80.ts';
import { OP_MEM, OP_REG, OP_ST, type Exec, type Insn } from '../cpu/insn.ts';
import { setReg, undefinedForm, type Factory } from './operands.ts';

const EXC = 0x3f;

function readExt(cpu: Cpu, p: number): Ext {
  const k = p * 3;
  return { se: cpu.st[k + 2] & 0xffff, mant: (BigInt(cpu.st[k + 1] >>> 0) << 32n) | BigInt(cpu.st[k] >>> 0) };
}

function writeExt(cpu: Cpu, p: number, v: Ext): void {
  const k = p * 3;
  cpu.st[k] = Number(v.mant & 0xffffffffn) | 0;
  cpu.st[k + 1] = Number(v.mant >> 32n) | 0;
  cpu.st[k + 2] = v.se & 0xffff;
}

const setTop = (cpu: Cpu, t: number): void => {
  cpu.fsw = (cpu.fsw & ~(7 << FSW_TOP_SHIFT)) | ((t & 7) << FSW_TOP_SHIFT);
};

const setC1 = (cpu: Cpu, on: boolean): void => {
  cpu.fsw = on ? cpu.fsw | FSW_C1 : cpu.fsw & ~FSW_C1;
};

/** Opcode bits FOP keeps: the low 3 bits of the D8-DF byte and the ModR/M byte. */
function opcodeOf(insn: Insn): number {
  const b = insn.bytes;
  for (let k = 0; k + 1 < b.length; k++) if (b[k] >= 0xd8 && b[k] <= 0xdf) return ((b[k] & 7) << 8) | b[k + 1];
  return 0;
}

/**
 * Records exception flags; true when one of them is unmasked (ES and B are set and the
 * instruction leaves its destination alone). FOP and FDP are updated only then
 * (CPUID.(EAX=07H,ECX=0):EBX[6], FDP_EXCPTN_ONLY, and FOP compatibility mode off).
 */
function signal(cpu: Cpu, insn: Insn, flags: number, dataAddress: number): boolean {
  cpu.fsw |= flags & (EXC | FSW_SF);
  if ((flags & EXC & ~cpu.fcw) === 0) return false;
  cpu.fsw |= FSW_ES | FSW_B;
  cpu.fop = opcodeOf(insn);
  cpu.fdp = dataAddress;
  return true;
}

/** The start of every non-control x87 instruction: #NM, then a pending #MF, then FIP is this instruction. */
function begin(cpu: Cpu, insn: Insn): void {
  checkX87(cpu, insn.mnemonic);
  checkPendingX87(cpu, insn.mnemonic);
  cpu.xinuse |= XCR0_X87;
  cpu.fip = cpu.rip - insn.length;
}

const isEmpty = (cpu: Cpu, p: number): boolean => (cpu.ftag & (1 << p)) === 0;

function push(cpu: Cpu, v: Ext): void {
  const t = (top(cpu) - 1) & 7;
  setTop(cpu, t);
  writeExt(cpu, t, v);
  cpu.ftag |= 1 << t;
}

function pop(cpu: Cpu): void {
  const t = top(cpu);
  cpu.ftag &= ~(1 << t);
  setTop(cpu, t + 1);
}

const readBits = (cpu: Cpu, a: number, size: number): bigint => {
  if (size === 4) return BigInt(cpu.mem.read32(a) >>> 0);
  const lo = cpu.mem.read64(a);
  return (BigInt(cpu.mem.hi >>> 0) << 32n) | BigInt(lo >>> 0);
};

function writeBits(cpu: Cpu, a: number, size: number, bits: bigint): void {
  if (size === 4) cpu.mem.write32(a, Number(bits & 0xffffffffn) | 0);
  else cpu.mem.write64(a, Number(bits & 0xffffffffn) | 0, Number((bits >> 32n) & 0xffffffffn) | 0);
}

function readM80(cpu: Cpu, a: number): Ext {
  const lo = cpu.mem.read64(a);
  const hi = cpu.mem.hi;
  return { se: cpu.mem.read16(a + 8), mant: (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0) };
}

function writeM80(cpu: Cpu, a: number, v: Ext): void {
  // An 80-bit operand's alignment for #AC is 8 bytes (SDM Vol. 3A, Table 6-7).
  cpu.mem.probeWrite(a, 10, 8);
  cpu.mem.write64(a, Number(v.mant & 0xffffffffn) | 0, Number(v.mant >> 32n) | 0);
  cpu.mem.write16(a + 8, v.se);
}

const formatOf = (size: number): Format => (size === 4 ? SINGLE : DOUBLE);

/** FLD: push a memory value (converted exactly) or a copy of ST(i); a full stack is #IS. */
const fld: Factory = (raw) => {
  const src = raw.ops[0];
  return (cpu, insn) => {
    begin(cpu, insn);
    const a = src.kind === OP_MEM ? cpu.ea(insn.mem!, src.size) : 0;
    let value: Ext;
    let flags = 0;
    if (src.kind === OP_ST) {
      const p = (top(cpu) + src.reg) & 7;
      if (isEmpty(cpu, p)) {
        setC1(cpu, false);
        if (!signal(cpu, insn, FSW_IE | FSW_SF, 0)) push(cpu, INDEFINITE);
        return;
      }
      value = readExt(cpu, p);
    } else if (src.size === 10) {
      value = readM80(cpu, a);
    } else {
      const r = toExtended(readBits(cpu, a, src.size), formatOf(src.size));
      value = r.value;
      flags = r.flags;
    }
    if (!isEmpty(cpu, (top(cpu) - 1) & 7)) {
      setC1(cpu, true);
      if (!signal(cpu, insn, FSW_IE | FSW_SF, a)) push(cpu, INDEFINITE);
      return;
    }
    setC1(cpu, false);
    // A denormal single or double converts exactly: it is pushed even when #D is unmasked (host CPU).
    if (flags & ~F_DE && signal(cpu, insn, flags, a)) return;
    push(cpu, value);
    if (flags === F_DE) signal(cpu, insn, flags, a);
  };
};

/** FST/FSTP: store ST(0) rounded to the destination's format (RC from FCW); an empty ST(0) is #IS. */
function fst(popAfter: boolean): Factory {
  return (raw) => {
    const dst = raw.ops[0];
    if (dst.kind !== OP_MEM && dst.kind !== OP_ST) return undefinedForm(raw, 'unexpected operand');
    return (cpu, insn) => {
      begin(cpu, insn);
      const a = dst.kind === OP_MEM ? cpu.ea(insn.mem!, dst.size) : 0;
      const t = top(cpu);
      if (isEmpty(cpu, t)) {
        // A masked stack underflow stores the indefinite: a store that faults (#PF, #AC) must leave
        // FSW as it was, so it is probed first. An unmasked one stores nothing and cannot fault.
        if (dst.kind === OP_MEM && cpu.fcw & FSW_IE) cpu.mem.probeWrite(a, dst.size, dst.size === 10 ? 8 : dst.size);
        setC1(cpu, false);
        if (signal(cpu, insn, FSW_IE | FSW_SF, a)) return;
        if (dst.kind === OP_ST) {
          const p = (t + dst.reg) & 7;
          writeExt(cpu, p, INDEFINITE);
          cpu.ftag |= 1 << p;
        } else if (dst.size === 10) writeM80(cpu, a, INDEFINITE);
        else writeBits(cpu, a, dst.size, indefiniteBits(formatOf(dst.size)));
        if (popAfter) pop(cpu);
        return;
      }
      const v = readExt(cpu, t);
      if (dst.kind === OP_ST) {
        const p = (t + dst.reg) & 7;
        writeExt(cpu, p, v);
        cpu.ftag |= 1 << p;
        setC1(cpu, false);
      } else if (dst.size === 10) {
        writeM80(cpu, a, v);
        setC1(cpu, false);
      } else {
        const f = formatOf(dst.size);
        const r = fromExtended(v, f, (cpu.fcw >> 10) & 3);
        let flags = r.flags;
        // An invalid operand (unnormal, pseudo-NaN, SNaN) is the only exception its store reports.
        if (!(flags & F_IE) && !(cpu.fcw & FSW_UE) && isTinyFor(v, f)) flags |= F_UE;
        const unmasked = flags & EXC & ~cpu.fcw;
        if (unmasked & (F_IE | F_OE | F_UE)) {
          setC1(cpu, false);
          // Nothing is stored, so the host CPU leaves PE clear for an unmasked overflow or underflow.
          signal(cpu, insn, flags & ~ROUNDED_UP & (unmasked & (F_OE | F_UE) ? ~F_PE : ~0), a);
          return;
        }
        writeBits(cpu, a, dst.size, r.bits);
        setC1(cpu, (flags & ROUNDED_UP) !== 0);
        signal(cpu, insn, flags & EXC, a);
      }
      if (popAfter) pop(cpu);
    };
  };
}

/** FNINIT: the x87 initial state; the register contents stay (only the tags say empty). */
const fninit: Factory = () => (cpu, insn) => {
  checkX87(cpu, insn.mnemonic);
  cpu.xinuse |= XCR0_X87;
  cpu.fcw = FCW_DEFAULT;
  cpu.fsw = 0;
  cpu.ftag = 0;
  cpu.fop = 0;
  cpu.fip = 0;
  cpu.fdp = 0;
};

const fnstcw: Factory = () => (cpu, insn) => {
  checkX87(cpu, insn.mnemonic);
  cpu.mem.write16(cpu.ea(insn.mem!, 2), cpu.fcw);
};

/** FLDCW: bits 6 reads as 1 and bits 7, 13-15 as 0; a flag the new word unmasks becomes pending (ES). */
const fldcw: Factory = () => (cpu, insn) => {
  checkX87(cpu, insn.mnemonic);
  // FLDCW is a waiting instruction: a pending unmasked exception is delivered first.
  checkPendingX87(cpu, insn.mnemonic);
  const v = cpu.mem.read16(cpu.ea(insn.mem!, 2));
  cpu.xinuse |= XCR0_X87;
  cpu.fcw = (v & 0x1f3f) | 0x40;
  cpu.fsw = cpu.fsw & EXC & ~cpu.fcw ? cpu.fsw | FSW_ES | FSW_B : cpu.fsw & ~(FSW_ES | FSW_B);
};

const fnstsw: Factory = (raw) => {
  const d = raw.ops[0];
  const exec: Exec = (cpu, insn) => {
    checkX87(cpu, insn.mnemonic);
    if (d.kind === OP_REG) setReg(cpu, d.reg, 2, cpu.fsw);
    else cpu.mem.write16(cpu.ea(insn.mem!, 2), cpu.fsw);
  };
  return exec;
};

export const x87Ops: Record<string, Factory> = {
  FLD: fld,
  FST: fst(false),
  FSTP: fst(true),
  FNINIT: fninit,
  FNSTCW: fnstcw,
  FLDCW: fldcw,
  FNSTSW: fnstsw,
};

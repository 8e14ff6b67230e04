/** JMP, Jcc, CALL, RET (near, with imm16), LOOP/LOOPE/LOOPNE, JCXZ/JECXZ/JRCXZ. */
import type { Cpu } from '../cpu/state.ts';
import { isCanonical } from '../cpu/state.ts';
import { CF, OF, PF, SF, ZF, isBelowOrEqual, isLess, isLessOrEqual, testCondition } from '../arch/rflags.ts';
import { generalProtection, hex } from '../arch/faults.ts';
import { OP_IMM, type Exec, type Insn } from '../cpu/insn.ts';
import { addressOf, read, read64, type Factory } from './operands.ts';
import { farCall, farJmp } from './far.ts';
import { TWO32 } from '../arch/registers.ts';

const RCX = 1;

/** The target of an indirect near branch, as a number (sign-extended for 64-bit). */
function indirectTarget(cpu: Cpu, insn: Insn, size: number): number {
  const op = insn.ops[0];
  const a = addressOf(cpu, insn, size);
  if (size === 8) {
    const lo = read64(cpu, op, a);
    return cpu.tHi * TWO32 + (lo >>> 0);
  }
  return read(cpu, op, a);
}

const isFar = (raw: Parameters<Factory>[0]): boolean => /_(ptr16|m16)/.test(raw.form);

const jmp: Factory = (raw): Exec => {
  if (isFar(raw)) return farJmp(raw);
  const size = raw.opSize;
  if (raw.ops[0].kind === OP_IMM && raw.ops[0].immHi === 0 && raw.ops.length === 1 && !raw.form.includes('ptr')) {
    const rel = raw.rel;
    if (size === 8) {
      return (cpu) => {
        const t = cpu.rip + rel;
        if (!isCanonical(t)) throw generalProtection(0, `JMP: target ${hex(t)} is not canonical`);
        cpu.rip = t;
      };
    }
    return (cpu) => cpu.branch(cpu.rip + rel, size);
  }
  return (cpu, i) => cpu.branch(indirectTarget(cpu, i, size), size);
};

/** Taken 64-bit branch: the target must be canonical. */
function jump64(cpu: Cpu, rel: number): void {
  const t = cpu.rip + rel;
  if (t >= 140737488355328 || t < -140737488355328) throw generalProtection(0, `Jcc: target ${hex(t)} is not canonical`);
  cpu.rip = t;
}

/** One closure per condition so each inlines its own predicate. */
function jcc64(cc: number, rel: number): Exec {
  switch (cc) {
    case 0: return (cpu) => { if (cpu.flags & OF) jump64(cpu, rel); };
    case 1: return (cpu) => { if (!(cpu.flags & OF)) jump64(cpu, rel); };
    case 2: return (cpu) => { if (cpu.flags & CF) jump64(cpu, rel); };
    case 3: return (cpu) => { if (!(cpu.flags & CF)) jump64(cpu, rel); };
    case 4: return (cpu) => { if (cpu.flags & ZF) jump64(cpu, rel); };
    case 5: return (cpu) => { if (!(cpu.flags & ZF)) jump64(cpu, rel); };
    case 6: return (cpu) => { if (isBelowOrEqual(cpu.flags)) jump64(cpu, rel); };
    case 7: return (cpu) => { if (!isBelowOrEqual(cpu.flags)) jump64(cpu, rel); };
    case 8: return (cpu) => { if (cpu.flags & SF) jump64(cpu, rel); };
    case 9: return (cpu) => { if (!(cpu.flags & SF)) jump64(cpu, rel); };
    case 10: return (cpu) => { if (cpu.flags & PF) jump64(cpu, rel); };
    case 11: return (cpu) => { if (!(cpu.flags & PF)) jump64(cpu, rel); };
    case 12: return (cpu) => { if (isLess(cpu.flags)) jump64(cpu, rel); };
    case 13: return (cpu) => { if (!isLess(cpu.flags)) jump64(cpu, rel); };
    case 14: return (cpu) => { if (isLessOrEqual(cpu.flags)) jump64(cpu, rel); };
    default: return (cpu) => { if (!isLessOrEqual(cpu.flags)) jump64(cpu, rel); };
  }
}

const jcc: Factory = (raw): Exec => {
  const cc = raw.cond;
  const rel = raw.rel;
  const size = raw.opSize;
  if (size === 8) return jcc64(cc, rel);
  return (cpu) => {
    if (testCondition(cc, cpu.flags)) cpu.branch(cpu.rip + rel, size);
  };
};

/** CALL near: the target is checked before the return address is pushed (Intel SDM Vol. 2A, CALL). */
const call: Factory = (raw): Exec => {
  if (isFar(raw)) return farCall(raw);
  const size = raw.opSize;
  const direct = raw.ops[0].kind === OP_IMM;
  const rel = raw.rel;
  if (direct && size === 8) {
    return (cpu) => {
      const ret = cpu.rip;
      const t = ret + rel;
      if (!isCanonical(t)) throw generalProtection(0, `CALL: target ${hex(t)} is not canonical`);
      const h = Math.floor(ret / TWO32);
      cpu.push(8, ret - h * TWO32, h);
      cpu.rip = t;
    };
  }
  return (cpu, i) => {
    const ret = cpu.rip;
    const target = direct ? ret + rel : indirectTarget(cpu, i, size);
    const saved = cpu.rip;
    cpu.branch(target, size);
    const t = cpu.rip;
    cpu.rip = saved;
    const h = Math.floor(ret / TWO32);
    cpu.push(size, ret - h * TWO32, size === 8 ? h : 0);
    cpu.rip = t;
  };
};

/** RET near: the return address is checked before RSP moves, so a #GP leaves the stack as it was. */
const ret: Factory = (raw): Exec => {
  const size = raw.opSize;
  const extra = raw.ops.length > 0 ? raw.ops[0].immLo & 0xffff : 0;
  if (size === 8) {
    return (cpu) => {
      // Fast path: a 64-bit stack below 4 GiB.
      const sp = cpu.lo[4] >>> 0;
      if (cpu.stackBits === 64 && cpu.hi[4] === 0 && sp < TWO32 - 8 - extra) {
        const m = cpu.mem;
        const l = m.read64(sp);
        const t = m.hi * TWO32 + (l >>> 0);
        if (t < 140737488355328 && t >= -140737488355328) {
          cpu.lo[4] = sp + 8 + extra;
          cpu.rip = t;
          return;
        }
      }
      const lo = cpu.peek(0, 8);
      const t = cpu.tHi * TWO32 + (lo >>> 0);
      if (!isCanonical(t)) throw generalProtection(0, `RET: return address ${hex(t)} is not canonical`);
      cpu.setSp(cpu.wrapSp(cpu.sp() + 8 + extra));
      cpu.rip = t;
    };
  }
  return (cpu) => {
    const t = cpu.peek(0, size);
    cpu.branch(t, size);
    cpu.setSp(cpu.wrapSp(cpu.sp() + size + extra));
  };
};

/** Reads the count register LOOP and JCXZ use, as the address size says. */
function counter(cpu: Cpu, bits: number): number {
  if (bits === 64) return (cpu.lo[RCX] | cpu.hi[RCX]) === 0 ? 0 : 1;
  return bits === 32 ? cpu.lo[RCX] : cpu.lo[RCX] & 0xffff;
}

function decrement(cpu: Cpu, bits: number): boolean {
  const lo = cpu.lo[RCX];
  if (bits === 64) {
    const nl = (lo - 1) | 0;
    const nh = lo === 0 ? (cpu.hi[RCX] - 1) | 0 : cpu.hi[RCX];
    cpu.lo[RCX] = nl;
    cpu.hi[RCX] = nh;
    return (nl | nh) !== 0;
  }
  if (bits === 32) {
    cpu.lo[RCX] = (lo - 1) | 0;
    if (cpu.codeBits === 64) cpu.hi[RCX] = 0;
    return cpu.lo[RCX] !== 0;
  }
  const v = (lo - 1) & 0xffff;
  cpu.lo[RCX] = (lo & ~0xffff) | v;
  return v !== 0;
}

/** LOOP/LOOPE/LOOPNE: decrement the count (flags untouched), branch while it is non-zero (and ZF agrees). */
function loop(kind: 'always' | 'zero' | 'nonzero'): Factory {
  return (raw) => {
    const bits = raw.addrBits;
    const rel = raw.rel;
    const size = raw.opSize;
    return (cpu) => {
      const more = decrement(cpu, bits);
      const zf = (cpu.flags & ZF) !== 0;
      if (more && (kind === 'always' || (kind === 'zero' ? zf : !zf))) cpu.branch(cpu.rip + rel, size);
    };
  };
}

const jcxz: Factory = (raw) => {
  const bits = raw.addrBits;
  const rel = raw.rel;
  const size = raw.opSize;
  return (cpu) => {
    if (counter(cpu, bits) === 0) cpu.branch(cpu.rip + rel, size);
  };
};

const JCC = ['JO', 'JNO', 'JB', 'JAE', 'JE', 'JNE', 'JBE', 'JA', 'JS', 'JNS', 'JP', 'JNP', 'JL', 'JGE', 'JLE', 'JG'];

export const controlOps: Record<string, Factory> = {
  JMP: jmp,
  CALL: call,
  RET: ret,
  LOOP: loop('always'),
  LOOPE: loop('zero'),
  LOOPNE: loop('nonzero'),
  JCXZ: jcxz,
  JECXZ: jcxz,
  JRCXZ: jcxz,
  ...Object.fromEntries(JCC.map((m) => [m, jcc])),
};

export { testCondition };

/** CBW/CWDE/CDQE, CWD/CDQ/CQO, NOP forms, PAUSE, UD2, INT3, INT n, INTO, HLT, CPUID, RDTSC, RDTSCP. */
import { OF } from '../cpu/flags.ts';
import { breakpoint, generalProtection, invalidOpcode, overflowTrap, softwareInterrupt } from '../cpu/faults.ts';
import { MSR, type Cpu } from '../cpu/state.ts';
import { cpuid } from '../cpu/cpuid.ts';
import { setReg, type Factory } from './operands.ts';

const RAX = 0;
const RCX = 1;
const RDX = 2;
const RBX = 3;

/** Thrown by HLT: not a fault, the run loop stops with reason 'hlt' and RIP after the instruction. */
export class Halt {
  static readonly instance = new Halt();
}

/** CBW, CWDE, CDQE: sign-extend the accumulator's low half into all of it. */
function widen(size: 2 | 4 | 8): Factory {
  return () => (cpu) => {
    const v = cpu.lo[RAX];
    if (size === 2) setReg(cpu, RAX, 2, (v << 24) >> 24);
    else if (size === 4) setReg(cpu, RAX, 4, (v << 16) >> 16);
    else cpu.hi[RAX] = v >> 31;
  };
}

/** CWD, CDQ, CQO: fill rDX with the accumulator's sign. */
function spread(size: 2 | 4 | 8): Factory {
  return () => (cpu) => {
    if (size === 2) setReg(cpu, RDX, 2, (cpu.lo[RAX] << 16) >> 31);
    else if (size === 4) setReg(cpu, RDX, 4, cpu.lo[RAX] >> 31);
    else setReg(cpu, RDX, 8, cpu.hi[RAX] >> 31, cpu.hi[RAX] >> 31);
  };
}

const nothing: Factory = () => () => {};

/** The time-stamp counter: deterministic, one tick per retired instruction plus the TSC MSR's offset. */
export function timestamp(cpu: Cpu): bigint {
  return BigInt(cpu.instructions) + (cpu.msr.get(MSR.TSC) ?? 0n);
}

function rdtsc(withAux: boolean): Factory {
  return (raw) => (cpu) => {
    if (cpu.cr4 & (1 << 2) && cpu.cpl !== 0) throw generalProtection(0, `${raw.mnemonic}: CR4.TSD is set and CPL is ${cpu.cpl}`);
    const t = BigInt.asUintN(64, timestamp(cpu));
    setReg(cpu, RAX, 4, Number(t & 0xffffffffn) | 0);
    setReg(cpu, RDX, 4, Number(t >> 32n) | 0);
    if (withAux) setReg(cpu, RCX, 4, Number((cpu.msr.get(MSR.TSC_AUX) ?? 0n) & 0xffffffffn) | 0);
  };
}

export const miscOps: Record<string, Factory> = {
  CBW: widen(2),
  CWDE: widen(4),
  CDQE: widen(8),
  CWD: spread(2),
  CDQ: spread(4),
  CQO: spread(8),
  NOP: nothing,
  PAUSE: nothing,
  UD2: () => () => {
    throw invalidOpcode('UD2: undefined instruction (raised on purpose)');
  },
  INT3: () => () => {
    throw breakpoint();
  },
  INT: (raw) => {
    const n = raw.ops[0].immLo & 0xff;
    return () => {
      throw softwareInterrupt(n);
    };
  },
  INTO: () => (cpu) => {
    if (cpu.flags & OF) throw overflowTrap();
  },
  /** HLT: privileged (#GP(0) above CPL 0). */
  HLT: () => (cpu) => {
    if (cpu.cpl !== 0) throw generalProtection(0, `HLT: CPL is ${cpu.cpl}, HLT needs CPL 0`);
    throw Halt.instance;
  },
  CPUID: () => (cpu) => {
    const [a, b, c, d] = cpuid(cpu.lo[RAX] >>> 0, cpu.lo[RCX] >>> 0);
    setReg(cpu, RAX, 4, a);
    setReg(cpu, RBX, 4, b);
    setReg(cpu, RCX, 4, c);
    setReg(cpu, RDX, 4, d);
  },
  RDTSC: rdtsc(false),
  RDTSCP: rdtsc(true),
};

/** CBW/CWDE/CDQE, CWD/CDQ/CQO, NOP forms, PAUSE, UD2, INT3, INT n, INTO, HLT, CPUID, RDTSC, RDTSCP. */
import { OF, ZF } from '../arch/rflags.ts';
import { OP_REG } from '../cpu/insn.ts';
import { breakpoint, deviceNotAvailable, icebp, generalProtection, invalidOpcode, overflowTrap, CpuFault } from '../arch/faults.ts';
import { MSR, type Cpu } from '../cpu/state.ts';
import { cpuid } from '../cpu/cpuid.ts';
import { checkPendingX87 } from '../cpu/fpu.ts';
import { checkIoPermission } from './io-permission.ts';
import { setReg, type Factory } from './operands.ts';

/** A software interrupt completes its instruction: the run loop takes it at the boundary, without unwinding. */
function raise(cpu: Cpu, trap: CpuFault): void {
  cpu.softwareTrap = trap;
  cpu.attention = true;
}

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

/** IN/OUT with an imm8 or DX port: the I/O permission check, then the port (cpu/io.ts). */
function io(isIn: boolean): Factory {
  return (raw) => {
    const data = raw.ops[isIn ? 0 : 1];
    const portOp = raw.ops[isIn ? 1 : 0];
    const size = data.size;
    const fixed = portOp.kind === OP_REG ? -1 : portOp.immLo & 0xff;
    const what = raw.mnemonic;
    return (cpu) => {
      const port = fixed >= 0 ? fixed : cpu.lo[RDX] & 0xffff;
      checkIoPermission(cpu, port, size, what);
      if (isIn) setReg(cpu, RAX, size, cpu.io.read(port, size));
      else cpu.io.write(port, cpu.lo[RAX]);
    };
  };
}

/** ARPL (32-bit code): raise the destination selector's RPL to the source's; ZF tells whether it changed. */
const arpl: Factory = (raw) => {
  const [d, s] = raw.ops;
  return (cpu, i) => {
    const a = i.mem === null ? 0 : cpu.ea(i.mem, 2);
    const dest = d.kind === OP_REG ? cpu.lo[d.reg] & 0xffff : cpu.mem.read16(a);
    const src = cpu.lo[s.reg] & 3;
    if ((dest & 3) < src) {
      const v = (dest & ~3) | src;
      if (d.kind === OP_REG) setReg(cpu, d.reg, 2, v);
      else cpu.mem.write16(a, v);
      cpu.flags |= ZF;
    } else cpu.flags &= ~ZF;
  };
};

/** CLFLUSH: no caches to flush, but the address is checked like a byte access (it can fault). */
const clflush: Factory = () => (cpu, i) => {
  if (i.mem !== null) cpu.ea(i.mem, 1);
};

/** WAIT/FWAIT: #NM when CR0.TS and CR0.MP are both set; then a pending unmasked x87 exception is #MF. */
const wait: Factory = () => (cpu) => {
  if ((cpu.cr0 & 0xa) === 0xa) throw deviceNotAvailable('WAIT: CR0.TS and CR0.MP are set (the FPU/SIMD state may belong to another task: #NM lets the kernel switch it in)');
  checkPendingX87(cpu, 'WAIT');
};

export const miscOps: Record<string, Factory> = {
  WAIT: wait,
  ENDBR64: nothing,
  ENDBR32: nothing,
  RESERVEDNOP: nothing,
  PREFETCHNTA: nothing,
  PREFETCHT0: nothing,
  PREFETCHT1: nothing,
  PREFETCHT2: nothing,
  PREFETCHW: nothing,
  LFENCE: nothing,
  MFENCE: nothing,
  SFENCE: nothing,
  CLFLUSH: clflush,
  IN: io(true),
  OUT: io(false),
  ARPL: arpl,
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
  INT3: () => (cpu) => raise(cpu, breakpoint()),
  INT1: () => () => {
    throw icebp();
  },
  INT: (raw) => {
    const n = raw.ops[0].immLo & 0xff;
    return (cpu) => {
      cpu.softwareVector = n;
      cpu.attention = true;
    };
  },
  INTO: () => (cpu) => {
    if (cpu.flags & OF) raise(cpu, overflowTrap());
  },
  /** HLT: privileged (#GP(0) above CPL 0). */
  HLT: () => (cpu) => {
    if (cpu.cpl !== 0) throw generalProtection(0, `HLT: CPL is ${cpu.cpl}, HLT needs CPL 0`);
    throw Halt.instance;
  },
  CPUID: () => (cpu) => {
    const [a, b, c, d] = cpuid(cpu.lo[RAX] >>> 0, cpu.lo[RCX] >>> 0, cpu);
    setReg(cpu, RAX, 4, a);
    setReg(cpu, RBX, 4, b);
    setReg(cpu, RCX, 4, c);
    setReg(cpu, RDX, 4, d);
  },
  RDTSC: rdtsc(false),
  RDTSCP: rdtsc(true),
};

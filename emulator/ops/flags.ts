/** CLC STC CMC CLD STD CLI STI STAC CLAC LAHF SAHF and SETcc. */
import { AC, AF, CF, DF, FIXED1, IF, IOPL, PF, SF, ZF, testCondition } from '../arch/rflags.ts';
import { generalProtection, invalidOpcode } from '../arch/faults.ts';
import type { Cpu } from '../cpu/state.ts';
import { addressOf, write, type Factory } from './operands.ts';

const RAX = 0;

const change = (fn: (f: number) => number): Factory => () => (cpu) => {
  cpu.flags = fn(cpu.flags);
};

/** CLI/STI need CPL <= IOPL in protected mode (Intel SDM Vol. 2A, CLI; virtual-8086 and PVI are not modelled). */
function interruptFlag(set: boolean): Factory {
  return (raw) => (cpu: Cpu) => {
    if (cpu.cpl > (cpu.flags & IOPL) >> 12) throw generalProtection(0, `${raw.mnemonic}: CPL ${cpu.cpl} is above IOPL ${(cpu.flags & IOPL) >> 12}`);
    // STI that sets IF holds maskable interrupts off until after the next instruction (SDM Vol. 2B, STI).
    if (set && (cpu.flags & IF) === 0) cpu.stiShadowAt = cpu.steps + 1;
    cpu.flags = set ? cpu.flags | IF : cpu.flags & ~IF;
  };
}

/** STAC/CLAC open and close the SMAP window; outside ring 0 they are #UD, not #GP (SDM Vol. 2A, CLAC; Vol. 2B, STAC). */
function alignmentCheckFlag(set: boolean): Factory {
  return (raw) => (cpu: Cpu) => {
    if (cpu.cpl !== 0) throw invalidOpcode(`${raw.mnemonic} is only valid at CPL 0 (CPL is ${cpu.cpl}): #UD`);
    cpu.flags = set ? cpu.flags | AC : cpu.flags & ~AC;
  };
}

const SAHF_BITS = SF | ZF | AF | PF | CF;

/** SETcc writes 1 or 0 to a byte. */
const setcc: Factory = (raw) => {
  const [d] = raw.ops;
  const cc = raw.cond;
  return (cpu, i) => write(cpu, d, addressOf(cpu, i, 1), testCondition(cc, cpu.flags) ? 1 : 0);
};

const SETCC = ['SETO', 'SETNO', 'SETB', 'SETAE', 'SETE', 'SETNE', 'SETBE', 'SETA', 'SETS', 'SETNS', 'SETP', 'SETNP', 'SETL', 'SETGE', 'SETLE', 'SETG'];

export const flagOps: Record<string, Factory> = {
  CLC: change((f) => f & ~CF),
  STC: change((f) => f | CF),
  CMC: change((f) => f ^ CF),
  CLD: change((f) => f & ~DF),
  STD: change((f) => f | DF),
  CLI: interruptFlag(false),
  STI: interruptFlag(true),
  STAC: alignmentCheckFlag(true),
  CLAC: alignmentCheckFlag(false),
  /** LAHF: AH = SF:ZF:0:AF:0:PF:1:CF. */
  LAHF: () => (cpu) => {
    cpu.lo[RAX] = (cpu.lo[RAX] & ~0xff00) | (((cpu.flags & SAHF_BITS) | FIXED1) << 8);
  },
  SAHF: () => (cpu) => {
    cpu.flags = (cpu.flags & ~SAHF_BITS) | ((cpu.lo[RAX] >> 8) & SAHF_BITS);
  },
  ...Object.fromEntries(SETCC.map((m) => [m, setcc])),
};

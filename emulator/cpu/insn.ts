import type { MemoryOperand } from '../arch/memory-operand.ts';
import { TWO32 } from '../arch/registers.ts';
import { SEG_FS } from '../arch/segments.ts';
import type { Cpu } from './state.ts';

/** Executes one decoded instruction. RIP already points past it when this runs. */
export type Exec = (cpu: Cpu, insn: Insn) => void;

export const OP_REG = 0;
export const OP_MEM = 1;
export const OP_IMM = 2;
/** A segment register operand (MOV Sreg, PUSH FS, ...): `reg` is 0..5 in ES CS SS DS FS GS order. */
export const OP_SEG = 3;
/** A control or debug register operand: `reg` is its number. */
export const OP_CR = 4;
export const OP_DR = 5;
/** An operand we do not model (x87, MMX, XMM, ...): instructions using one are not implemented. */
export const OP_OTHER = 6;
/** An XMM (size 16) or YMM (size 32) register: `reg` is 0..15. */
export const OP_XMM = 7;
/** An x87 stack register ST(i): `reg` is i. */
export const OP_ST = 8;


export class Operand {
  constructor(
    readonly kind: number,
    /** GPR index 0..15 (or segment/control/debug register number). */
    readonly reg: number,
    /** AH, CH, DH, BH: bits 8..15 of register reg. */
    readonly high: boolean,
    /** Width in bytes. */
    readonly size: number,
    /** Immediate value as two int32 halves, already sign- or zero-extended as the encoding says. */
    readonly immLo: number,
    readonly immHi: number,
  ) {}
}

export class MemRef implements MemoryOperand {
  /** The displacement split into an unsigned low half and a signed high half. */
  readonly dispLo: number;
  readonly dispHi: number;
  /** 64-bit [base + disp] through a segment without a base: eligible for the address fast path. */
  readonly simple: boolean;
  constructor(
    /** GPR index, BASE_RIP, or -1. */
    readonly base: number,
    readonly index: number,
    readonly scale: number,
    /** Signed displacement (exact: at most 32 bits, or a 64-bit moffs within 2^53). */
    readonly disp: number,
    /** Segment register the access goes through (after prefixes and defaults). */
    readonly seg: number,
    /** Address size in bits: 16, 32 or 64. */
    readonly addrBits: number,
    /** Memory operand width in bytes (0 when the instruction does not access memory, e.g. LEA). */
    readonly size: number,
  ) {
    this.dispHi = Math.floor(disp / TWO32);
    this.dispLo = disp - this.dispHi * TWO32;
    this.simple = addrBits === 64 && base >= 0 && base < 16 && index < 0 && seg < SEG_FS && Math.abs(disp) < 2 ** 31;
  }
}

/** What the run loop needs of a basic block that starts at an instruction (emulator/blocks/). */
export interface BlockHead {
  /** Linear RIP of the first instruction: the block runs only when entered there. */
  readonly start: number;
  readonly insns: Insn[];
  /** Each instruction's offset from `start`. */
  readonly offsets: number[];
  /** Runs from the first instruction; returns the index of the last one retired. */
  run(cpu: Cpu, limit: number): number;
  /** After a run that threw: the index of the instruction that raised it. */
  readonly fault: number;
  /** The block that ran next the last time this one ran to its end, valid while `linkGen` equals the decode cache's generation. */
  link: BlockHead | null;
  linkGen: number;
  /** Ends with a transition the run loop must look at (INT n, IRET): the loop settles it as after any instruction. */
  readonly transition: boolean;
  /** Ends with INT n: a run to its end with nothing pending delivered the interrupt in place. */
  readonly delivers: boolean;
}

/** One decoded instruction, decoded once per (physical address, code size) and cached. */
export class Insn {
  exec: Exec;
  /** The instruction that followed this one the last time execution fell through, valid while `nextGen` equals the cache's generation. */
  next: Insn | null = null;
  nextGen = -1;
  /** The instruction this one last transferred control to (a taken branch, call, return), at RIP `jumpTo`, valid while `jumpGen` equals the cache's generation. */
  jump: Insn | null = null;
  jumpTo = NaN;
  jumpGen = -1;
  /** The block that starts here (NO_BLOCK when none can), once this instruction ran `heat` times as a block head. */
  block: BlockHead | null = null;
  heat = 0;
  constructor(
    exec: Exec,
    /** Upper-case mnemonic, as learners read it (`ADD`, `MOVSQ`). */
    readonly mnemonic: string,
    /** iced-x86's name of the exact form (`Add_rm64_r64`), for messages and size hints. */
    readonly form: string,
    readonly length: number,
    /** Code size it was decoded for: 16, 32 or 64. */
    readonly bits: number,
    /** Operand size in bytes (1, 2, 4, 8) as the instruction uses it. */
    readonly opSize: number,
    readonly ops: Operand[],
    readonly mem: MemRef | null,
    /** Branch displacement relative to the next instruction. */
    readonly rel: number,
    /** Condition code 0..15 for Jcc/SETcc/CMOVcc/LOOPcc, else -1. */
    readonly cond: number,
    /** 0 none, 1 REP/REPE, 2 REPNE. */
    readonly rep: number,
    readonly lock: boolean,
    /** Address size in bits (for string instructions, LOOP, JCXZ). */
    readonly addrBits: number,
    /** Segment override prefix (0..5) or -1. */
    readonly segPrefix: number,
    /** The instruction's bytes, for messages. */
    readonly bytes: Uint8Array,
  ) {
    this.exec = exec;
  }
}

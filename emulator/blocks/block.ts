/**
 * Basic blocks: runs of instructions in one linear page of 64-bit code that can execute back to
 * back with no check between them. An instruction may sit inside a block only when it cannot
 * change anything the run loop watches between instructions (CPL, mode, TF, RF, IF, the
 * pending-event state, debug registers, the translation); a near branch may end one, and so may a
 * transition, which the run loop settles after the block as it would after the instruction.
 */
import { OP_CR, OP_DR, OP_IMM, OP_REG, OP_SEG, type BlockHead, type Insn } from '../cpu/insn.ts';
import { RSP } from '../arch/registers.ts';
import type { Cpu } from '../cpu/state.ts';
import { PAGE_SIZE } from '../memory/physical.ts';

/** Runs a block from its first instruction; returns the index of the last one it retired. */
export type BlockRun = (cpu: Cpu, limit: number) => number;

export class Block implements BlockHead {
  /** Set by a run that a fault stopped: the index of the instruction that raised it. */
  fault = 0;
  /** Runs as a generated function (else its handlers are called in turn). */
  compiled = false;
  link: BlockHead | null = null;
  linkGen = -1;
  readonly transition: boolean;
  readonly delivers: boolean;
  constructor(
    /** Linear RIP of the first instruction (a block runs only when entered there). */
    readonly start: number,
    readonly insns: Insn[],
    /** Each instruction's offset from `start` (a direct CALL or JMP inside the block jumps ahead or back). */
    readonly offsets: number[],
    public run: BlockRun,
  ) {
    this.transition = insns.length !== 0 && transfersPrivilege(insns[insns.length - 1]);
    this.delivers = this.transition && insns[insns.length - 1].mnemonic === 'INT';
  }
}

/** What a head instruction holds when no block can start there: it never runs (no RIP equals NaN). */
export const NO_BLOCK = new Block(NaN, [], [], () => -1);

const FAMILY_SAFE = new Set([
  'MOV', 'MOVZX', 'MOVSX', 'MOVSXD', 'XCHG', 'XADD', 'CMPXCHG', 'CMPXCHG8B', 'CMPXCHG16B', 'BSWAP', 'LEA', 'MOVBE',
  'CMOVO', 'CMOVNO', 'CMOVB', 'CMOVAE', 'CMOVE', 'CMOVNE', 'CMOVBE', 'CMOVA', 'CMOVS', 'CMOVNS', 'CMOVP', 'CMOVNP', 'CMOVL', 'CMOVGE', 'CMOVLE', 'CMOVG',
  'PUSH', 'POP', 'ENTER', 'LEAVE',
  'ADD', 'ADC', 'SUB', 'SBB', 'CMP', 'INC', 'DEC', 'NEG', 'AND', 'OR', 'XOR', 'NOT', 'TEST',
  'MUL', 'IMUL', 'DIV', 'IDIV',
  'SHL', 'SAL', 'SHR', 'SAR', 'ROL', 'ROR', 'RCL', 'RCR', 'SHLD', 'SHRD',
  'BT', 'BTS', 'BTR', 'BTC', 'BSF', 'BSR', 'TZCNT', 'LZCNT', 'POPCNT',
  'CLC', 'STC', 'CMC', 'CLD', 'STD', 'LAHF', 'SAHF',
  'SETO', 'SETNO', 'SETB', 'SETAE', 'SETE', 'SETNE', 'SETBE', 'SETA', 'SETS', 'SETNS', 'SETP', 'SETNP', 'SETL', 'SETGE', 'SETLE', 'SETG',
  'CBW', 'CWDE', 'CDQE', 'CWD', 'CDQ', 'CQO', 'NOP', 'PAUSE', 'ENDBR64', 'RESERVEDNOP', 'LFENCE', 'MFENCE', 'SFENCE',
  'PREFETCHNTA', 'PREFETCHT0', 'PREFETCHT1', 'PREFETCHT2', 'PREFETCHW',
  'MOVAPS', 'MOVUPS', 'MOVDQA', 'MOVDQU', 'MOVQ', 'MOVD', 'MOVSS', 'PXOR', 'XORPS', 'PADDB', 'PADDW', 'PADDD', 'PADDQ', 'ADDPS', 'ADDSD',
  'VMOVDQU', 'VMOVAPS',
]);

/** Near branches: each ends its block (JMP/CALL/RET far forms are other instructions' business). */
const TERMINATORS = new Set([
  'JMP', 'JO', 'JNO', 'JB', 'JAE', 'JE', 'JNE', 'JBE', 'JA', 'JS', 'JNS', 'JP', 'JNP', 'JL', 'JGE', 'JLE', 'JG',
  'CALL', 'RET', 'LOOP', 'LOOPE', 'LOOPNE', 'JRCXZ',
]);

/**
 * Instructions that may change CPL, CS, RSP's stack, IF, TF or RF, or raise a software interrupt:
 * one may end a block, and the run loop then does after the block what it does after the
 * instruction (deliver the INT, trap on TF, take a pending interrupt) before another block runs.
 */
const TRANSITIONS = new Set(['INT', 'IRET', 'IRETD', 'IRETQ']);

/** A transition that may end a block (64-bit code only, as every block). */
export const transfersPrivilege = (insn: Insn): boolean => insn.bits === 64 && TRANSITIONS.has(insn.mnemonic);

const FAR_FORM = /_(ptr16|m16)/;

const plainOperands = (insn: Insn): boolean => insn.ops.every((op) => op.kind !== OP_SEG && op.kind !== OP_CR && op.kind !== OP_DR);

/** May run inside a block: 64-bit code, no segment, control or debug register operand, no REP. */
export function blockSafe(insn: Insn): boolean {
  return insn.bits === 64 && insn.rep === 0 && FAMILY_SAFE.has(insn.mnemonic) && plainOperands(insn);
}

/** A near branch or a transition: it may end a block. */
export function endsBlock(insn: Insn): boolean {
  return (insn.bits === 64 && TERMINATORS.has(insn.mnemonic) && !FAR_FORM.test(insn.form) && plainOperands(insn)) || transfersPrivilege(insn);
}

export const MAX_BLOCK = 64;
const MAX_INSN_LENGTH = 15;

/** A direct near CALL or JMP in 64-bit code: a block may go on at its target. */
export function directTransfer(insn: Insn): boolean {
  return (insn.mnemonic === 'CALL' || insn.mnemonic === 'JMP') && insn.bits === 64 && insn.opSize === 8 && insn.ops.length === 1 && insn.ops[0].kind === OP_IMM && !FAR_FORM.test(insn.form);
}

/** A near RET with no immediate in 64-bit code. */
export const plainReturn = (insn: Insn): boolean => insn.mnemonic === 'RET' && insn.bits === 64 && insn.opSize === 8 && insn.ops.length === 0;

/** A 64-bit PUSH or POP of a general register other than RSP: moves RSP by exactly 8. */
const stackStep = (insn: Insn): number => {
  const [op] = insn.ops;
  if ((insn.mnemonic !== 'PUSH' && insn.mnemonic !== 'POP') || insn.opSize !== 8 || insn.ops.length !== 1 || op.kind !== OP_REG || op.reg === RSP) return 0;
  return insn.mnemonic === 'PUSH' ? 1 : -1;
};

/** May change RSP other than by a plain PUSH or POP (so a return address can no longer be foreseen). */
const movesStack = (insn: Insn): boolean =>
  insn.mnemonic === 'ENTER' || insn.mnemonic === 'LEAVE' || (insn.mnemonic === 'POP' && stackStep(insn) === 0) || insn.ops.some((op) => op.kind === OP_REG && op.reg === RSP);

/**
 * The instructions of the block starting at `start`, with their offsets from it: safe ones in a
 * row, going on at the target of a direct CALL or JMP that stays in the page, then the near branch
 * that ends them, all within the page of the first (so they share its translation and permissions).
 * A RET that returns to a CALL followed in this block goes on after that CALL too: the pushes and
 * pops between them balance, so it pops the address the CALL pushed unless something stored over
 * it (the block then leaves at the RET, which checks).
 */
export function collectBlock(head: Insn, start: number, fetch: (rip: number) => Insn): { insns: Insn[]; offsets: number[] } {
  const insns: Insn[] = [];
  const offsets: number[] = [];
  const pageStart = Math.floor(start / PAGE_SIZE) * PAGE_SIZE;
  const pageEnd = pageStart + PAGE_SIZE;
  /** For each CALL followed and not yet returned from: where it returns, and the pushes since it less the pops. */
  const calls: { back: number; depth: number }[] = [];
  const fits = (target: number) => target >= pageStart && target + MAX_INSN_LENGTH <= pageEnd && !offsets.includes(target - start);
  let insn = head;
  let at = start;
  for (;;) {
    if (at + insn.length > pageEnd) break;
    let next = at + insn.length;
    const top = calls[calls.length - 1];
    if (directTransfer(insn)) {
      const target = next + insn.rel;
      // Followed only to a new place in the page; a transfer back into the block ends it.
      if (!fits(target) || target === at) {
        insns.push(insn);
        offsets.push(at - start);
        break;
      }
      if (insn.mnemonic === 'CALL') calls.push({ back: next, depth: 0 });
      next = target;
    } else if (plainReturn(insn) && top !== undefined && top.depth === 0 && fits(top.back)) {
      calls.pop();
      next = top.back;
    } else if (endsBlock(insn)) {
      insns.push(insn);
      offsets.push(at - start);
      break;
    } else if (!blockSafe(insn)) break;
    else if (top !== undefined) {
      const step = stackStep(insn);
      if (step !== 0) top.depth += step;
      else if (movesStack(insn)) calls.length = 0;
      if (top.depth < 0) calls.length = 0;
    }
    insns.push(insn);
    offsets.push(at - start);
    at = next;
    // Only bytes in the same page: decoding into the next one would walk its translation (setting accessed bits) for code that may never run.
    if (insns.length === MAX_BLOCK || at + MAX_INSN_LENGTH > pageEnd) break;
    try {
      insn = fetch(at);
    } catch {
      break;
    }
  }
  return { insns, offsets };
}

/**
 * Debugging checks in the spirit of CPUlator's: each has an id, a short explanation and can be
 * turned off. The checks run while the debugger records (never on replay), so each warning is
 * raised once, at the instruction it concerns.
 */
import { CpuFault, hex } from '../arch/faults.ts';
import { GPR_NAMES, TWO32 } from '../arch/registers.ts';
import { IF } from '../arch/rflags.ts';
import { isCanonical, type Cpu } from '../cpu/state.ts';
import { SEG_CODE, SEG_DPL_SHIFT, SEG_L, SEG_P, SEG_RW, SEG_S } from '../arch/segments.ts';
import { readDescriptor } from '../ops/segments.ts';

export type CheckId =
  | 'callee-saved-clobbered'
  | 'stack-imbalance'
  | 'call-misaligned'
  | 'handler-rsp-changed'
  | 'handler-below-rsp'
  | 'iret-frame-faults'
  | 'swapgs-unpaired'
  | 'error-code-mismatch'
  | 'if-clear-ring3';

export interface CheckInfo {
  id: CheckId;
  title: string;
  explanation: string;
}

export const CHECKS: readonly CheckInfo[] = [
  { id: 'callee-saved-clobbered', title: 'Callee-saved register clobbered', explanation: 'A function returned with a register its caller may rely on changed: RBX, RBP, R12-R15 under the System V x86-64 ABI; EBX, ESI, EDI, EBP under i386 cdecl. Save them on entry and restore them before RET.' },
  { id: 'stack-imbalance', title: 'Stack imbalance between CALL and RET', explanation: 'RET found the stack pointer somewhere other than where the matching CALL left its return address: the function pushed more than it popped (or the reverse), so RET returns to the wrong place.' },
  { id: 'call-misaligned', title: 'RSP not 16-byte aligned at CALL', explanation: 'The System V x86-64 ABI requires RSP to be a multiple of 16 just before CALL, so the callee finds RSP+8 aligned. Compiled C code may use aligned SSE stores and fault otherwise.' },
  { id: 'handler-rsp-changed', title: 'Interrupt handler returns with a different RSP', explanation: 'IRET executed with the stack pointer elsewhere than where the CPU left the interrupt frame (after removing any error code): the handler left something on the stack or popped too much.' },
  { id: 'handler-below-rsp', title: 'Interrupt handler writes below RSP', explanation: 'An interrupt handler stored data below the stack pointer (the red zone). An interrupt arriving now would push its frame over that data: kernel code must not use a red zone.' },
  { id: 'iret-frame-faults', title: 'IRET frame will fault', explanation: 'The frame IRET is about to pop names a code or stack segment, privilege level or address that the CPU will refuse (Intel SDM Vol. 2A, IRET: Operation).' },
  { id: 'swapgs-unpaired', title: 'SWAPGS not paired', explanation: 'Returning to ring 3 with the GS base swapped a different number of times than on the way in: user mode would run with the kernel GS base (or the kernel with the user one).' },
  { id: 'error-code-mismatch', title: 'Error code popped for the wrong vector', explanation: 'Only some exceptions push an error code (#DF, #TS, #NP, #SS, #GP, #PF, #AC, ...). A handler must remove it before IRET for those vectors and must not for the others.' },
  { id: 'if-clear-ring3', title: 'IF left clear on return to ring 3', explanation: 'The RFLAGS image the CPU loads on the way back to ring 3 has IF clear: user code would run with interrupts disabled.' },
];

export const DEFAULT_CHECKS: Record<CheckId, boolean> = Object.fromEntries(CHECKS.map((c) => [c.id, true])) as Record<CheckId, boolean>;

export interface Warning {
  check: CheckId;
  /** The position (instruction attempt) the warning is about. */
  position: number;
  /** Address of the instruction. */
  rip: bigint;
  /** Its source line, when the debugger has a listing. */
  line?: number;
  message: string;
  /** How many more times the same check fired at the same instruction. */
  repeats?: number;
}

export const CALLEE_SAVED_64 = [3, 5, 12, 13, 14, 15];
export const CALLEE_SAVED_32 = [3, 5, 6, 7];
export const REG_NAMES_64 = GPR_NAMES;
export const REG_NAMES_32 = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'];

/** Vectors for which the CPU pushes an error code (Intel SDM Vol. 3A, Table 6-1). */
export const ERROR_CODE_VECTORS = new Set([8, 10, 11, 12, 13, 14, 17, 21, 29, 30]);

export interface IretProblems {
  /** What will fault, one line each: `#GP(0x2b): ...`. */
  faults: string[];
  /** IF is clear in the RFLAGS image of a return to ring 3. */
  ifClearToUser: boolean;
  /** The privilege level IRET returns to (CS RPL from the frame). */
  targetCpl: number;
}

/**
 * Decodes the frame IRET (width 8 for IRETQ, 4 for IRETD) will pop and says what will fault,
 * following Intel SDM Vol. 2A, IRET/IRETD/IRETQ: Operation (protected-mode and IA-32e returns).
 */
export function inspectIretFrame(cpu: Cpu, width: 4 | 8): IretProblems {
  const faults: string[] = [];
  const sp = cpu.sp();
  const name = width === 8 ? 'IRETQ' : 'IRETD';
  const slot = (i: number): number => {
    const a = cpu.stackAddress(cpu.wrapSp(sp + i * width), width);
    if (width === 8) {
      const lo = cpu.mem.read64(a) >>> 0;
      return cpu.mem.hi * TWO32 + lo;
    }
    return cpu.mem.read32(a) >>> 0;
  };
  let rip: number;
  let cs: number;
  let rflags: number;
  try {
    rip = slot(0);
    cs = slot(1) & 0xffff;
    rflags = slot(2);
  } catch (e) {
    return { faults: [`${name}: the frame at ${hex(sp)} cannot be read (${e instanceof CpuFault ? e.message : String(e)})`], ifClearToUser: false, targetCpl: cpu.cpl };
  }
  const rpl = cs & 3;
  const cpl = cpu.cpl;
  const toOuter = rpl > cpl;
  const ifClearToUser = rpl === 3 && (rflags & IF) === 0;
  if ((cs & 0xfffc) === 0) {
    faults.push(`#GP(0): ${name}: CS in the frame (${hex(cs)}) is a null selector`);
    return { faults, ifClearToUser, targetCpl: rpl };
  }
  if (rpl < cpl) faults.push(`#GP(${hex(cs & 0xfffc)}): ${name}: CS ${hex(cs)} has RPL ${rpl}, below CPL ${cpl}: IRET cannot return to a more privileged level`);
  let csAttrs = 0;
  let csLimit = 0;
  try {
    const d = readDescriptor(cpu, cs, name);
    csAttrs = d.attrs;
    csLimit = d.limit;
  } catch (e) {
    faults.push(e instanceof CpuFault ? e.message : String(e));
    return { faults, ifClearToUser, targetCpl: rpl };
  }
  const dpl = (csAttrs >> SEG_DPL_SHIFT) & 3;
  const isCode = (csAttrs & SEG_S) !== 0 && (csAttrs & 8) !== 0;
  if (!isCode) faults.push(`#GP(${hex(cs & 0xfffc)}): ${name}: CS ${hex(cs)} does not name a code segment`);
  else if (csAttrs & 4 ? dpl > rpl : dpl !== rpl) {
    faults.push(`#GP(${hex(cs & 0xfffc)}): ${name}: CS ${hex(cs)} has RPL ${rpl} but its descriptor's DPL is ${dpl}`);
  }
  if (isCode && (csAttrs & SEG_P) === 0) faults.push(`#NP(${hex(cs & 0xfffc)}): ${name}: the code segment ${hex(cs)} is not present`);
  const target64 = cpu.longMode && (csAttrs & SEG_L) !== 0;
  const ripAsSigned = width === 8 && rip >= 2 ** 63 ? rip - 2 ** 64 : rip;
  if (target64 && !isCanonical(ripAsSigned)) faults.push(`#GP(0): ${name}: RIP ${hex(BigInt(rip))} in the frame is not canonical`);
  if (!target64 && rip > csLimit) faults.push(`#GP(0): ${name}: EIP ${hex(rip)} is beyond the code segment's limit ${hex(csLimit)}`);
  if (cpu.longMode && width === 4 && cpu.codeBits === 64) faults.push(`${name} in 64-bit mode pops 4-byte slots: use IRETQ`);

  // In IA-32e mode IRET always pops SS:RSP; in protected mode only on a return to an outer level.
  if (cpu.longMode || toOuter) {
    let ss: number;
    try {
      ss = slot(4) & 0xffff;
    } catch (e) {
      faults.push(`${name}: the SS slot cannot be read (${e instanceof CpuFault ? e.message : String(e)})`);
      return { faults, ifClearToUser, targetCpl: rpl };
    }
    if ((ss & 0xfffc) === 0) {
      // A null SS is allowed only for a 64-bit return to a privilege level other than 3.
      if (!(cpu.longMode && target64 && rpl !== 3)) faults.push(`#GP(0): ${name}: SS in the frame (${hex(ss)}) is null, which is allowed only for a 64-bit return to CPL 0-2`);
    } else if ((ss & 3) !== rpl) {
      faults.push(`#GP(${hex(ss & 0xfffc)}): ${name}: SS ${hex(ss)} has RPL ${ss & 3} but CS's RPL is ${rpl}`);
    } else {
      try {
        const d = readDescriptor(cpu, ss, name);
        const ssDpl = (d.attrs >> SEG_DPL_SHIFT) & 3;
        const writableData = (d.attrs & SEG_S) !== 0 && (d.attrs & SEG_CODE) === 0 && (d.attrs & SEG_RW) !== 0;
        if (!writableData) faults.push(`#GP(${hex(ss & 0xfffc)}): ${name}: SS ${hex(ss)} does not name a writable data segment`);
        else if (ssDpl !== rpl) faults.push(`#GP(${hex(ss & 0xfffc)}): ${name}: SS ${hex(ss)} has DPL ${ssDpl} but the return is to CPL ${rpl}`);
        else if ((d.attrs & SEG_P) === 0) faults.push(`#SS(${hex(ss & 0xfffc)}): ${name}: the stack segment ${hex(ss)} is not present`);
      } catch (e) {
        faults.push(e instanceof CpuFault ? e.message : String(e));
      }
    }
  }
  return { faults, ifClearToUser, targetCpl: rpl };
}

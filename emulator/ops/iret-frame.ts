/** What IRET's general path (iret.ts) and its 64-bit fast path (fast-transitions.ts) share. */
import type { Cpu } from '../cpu/state.ts';
import { AC, CF, DF, ID, IF, IOPL, NT, OF, PF, AF, RF, SF, TF, VIF, VIP, ZF } from '../arch/rflags.ts';
import { TWO32 } from '../arch/registers.ts';

const IRET_ANY_CPL = CF | PF | AF | ZF | SF | TF | DF | OF | NT | RF | AC | ID;
/** CPL 0 always has CPL <= IOPL. */
const IRET_CPL0 = IRET_ANY_CPL | IF | IOPL | VIF | VIP;

/** The flags IRET may change: IF only when CPL <= IOPL, IOPL/VIF/VIP only at CPL 0 (SDM IRET, Operation). */
export function iretFlagsMask(cpu: Cpu, size: number): number {
  const cpl = cpu.cpl;
  const mask = cpl === 0 ? IRET_CPL0 : cpl <= (cpu.flags & IOPL) >> 12 ? IRET_ANY_CPL | IF : IRET_ANY_CPL;
  return size === 2 ? mask & 0xffff : mask;
}

/** The 40-byte IRETQ frame at RSP when it lies in one page the read TLB maps (offset in hitOff), else null. */
export function frameView(cpu: Cpu): DataView | null {
  if (cpu.hi[4] !== 0) return null;
  const rsp = cpu.lo[4] >>> 0;
  if (rsp > TWO32 - 40) return null;
  return cpu.mem.hitWindow(rsp, 40, false);
}

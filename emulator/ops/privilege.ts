/** Privilege checks the system instructions share: CPL 0 only, and UMIP's CPL-0-only stores. */
import type { Cpu } from '../cpu/state.ts';
import { CR4_UMIP } from '../arch/control-registers.ts';
import { generalProtection } from '../arch/faults.ts';
import { type Factory } from './operands.ts';

export function requireCpl0(cpu: Cpu, what: string): void {
  if (cpu.cpl !== 0) throw generalProtection(0, `${what} is privileged: CPL is ${cpu.cpl}`);
}

/** UMIP (Intel SDM Vol. 3A §2.5, CR4.UMIP): SGDT, SIDT, SLDT, SMSW and STR raise #GP(0) at CPL > 0. */
export function checkUmip(cpu: Cpu, what: string): void {
  if (cpu.cpl > 0 && cpu.cr4 & CR4_UMIP) throw generalProtection(0, `${what} at CPL ${cpu.cpl} with CR4.UMIP set`);
}


export const privilegedNop = (name: string): Factory => () => (cpu) => requireCpl0(cpu, name);

export const toBig = (lo: number, hi: number): bigint => (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
export const signed64 = (v: bigint): number => Number(BigInt.asIntN(64, v));

/**
 * Architectural exceptions (Intel SDM Vol. 3A, 6.3.1). Each is raised through exactly one
 * function here, carries the vector, the error code where the architecture pushes one, and a
 * reason a learner can read.
 */
export const Vector = {
  DE: 0, DB: 1, NMI: 2, BP: 3, OF: 4, BR: 5, UD: 6, NM: 7, DF: 8,
  TS: 10, NP: 11, SS: 12, GP: 13, PF: 14, MF: 16, AC: 17, MC: 18, XM: 19,
} as const;

const NAMES: Record<number, string> = {
  0: '#DE', 1: '#DB', 2: 'NMI', 3: '#BP', 4: '#OF', 5: '#BR', 6: '#UD', 7: '#NM', 8: '#DF',
  10: '#TS', 11: '#NP', 12: '#SS', 13: '#GP', 14: '#PF', 16: '#MF', 17: '#AC', 18: '#MC', 19: '#XM',
};

/** A non-architectural stop: the access went outside the machine (no IDT delivery exists for it). */
export const BUS_ERROR = -1;

export class CpuFault {
  /** RIP of the instruction that faulted (filled by the run loop). */
  rip = 0n;
  /** The instruction that faulted (filled by the run loop). */
  mnemonic: string | undefined = undefined;
  constructor(
    readonly vector: number,
    readonly reason: string,
    readonly errorCode?: number,
    /** For #PF: the linear address (CR2). */
    readonly address?: bigint,
    /** Traps (INT3, INTO) report the address after the instruction; faults the instruction itself. */
    readonly isTrap = false,
  ) {}

  get name(): string {
    return this.vector === BUS_ERROR ? 'bus-error' : (NAMES[this.vector] ?? `vector ${this.vector}`);
  }

  get message(): string {
    const code = this.errorCode === undefined ? '' : `(0x${this.errorCode.toString(16)})`;
    const m = this.mnemonic;
    const prefix = m && !this.reason.startsWith(`${m}:`) && !this.reason.startsWith(`${m} `) ? `${m}: ` : '';
    return `${this.name}${code}: ${prefix}${this.reason}`;
  }
}

export const hex = (v: number | bigint): string =>
  typeof v === 'bigint' ? `0x${BigInt.asUintN(64, v).toString(16)}` : v < 0 ? `0x${BigInt.asUintN(64, BigInt(v)).toString(16)}` : `0x${v.toString(16)}`;

export const divideError = (reason: string): CpuFault => new CpuFault(Vector.DE, reason);
export const invalidOpcode = (reason: string): CpuFault => new CpuFault(Vector.UD, reason);
export const deviceNotAvailable = (reason: string): CpuFault => new CpuFault(Vector.NM, reason);
export const generalProtection = (code: number, reason: string): CpuFault => new CpuFault(Vector.GP, reason, code);
export const stackFault = (code: number, reason: string): CpuFault => new CpuFault(Vector.SS, reason, code);
export const segmentNotPresent = (code: number, reason: string): CpuFault => new CpuFault(Vector.NP, reason, code);
export const invalidTss = (code: number, reason: string): CpuFault => new CpuFault(Vector.TS, reason, code);
export const pageFault = (address: bigint, code: number, reason: string): CpuFault => new CpuFault(Vector.PF, reason, code, address);
export const breakpoint = (): CpuFault => new CpuFault(Vector.BP, 'INT3: breakpoint', undefined, undefined, true);
export const overflowTrap = (): CpuFault => new CpuFault(Vector.OF, 'INTO: OF is set', undefined, undefined, true);
export const alignmentCheck = (reason: string): CpuFault => new CpuFault(Vector.AC, reason, 0);
export const busError = (reason: string): CpuFault => new CpuFault(BUS_ERROR, reason);
/** A software interrupt INT n: delivered like an exception but as a trap, without error code. */
export const softwareInterrupt = (n: number): CpuFault => new CpuFault(n, `INT 0x${n.toString(16)}`, undefined, undefined, true);

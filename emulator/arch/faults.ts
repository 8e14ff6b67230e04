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

/**
 * Where an event comes from, which decides how it is delivered (Intel SDM Vol. 3A, 6.12 and 6.13):
 * `software` (INT n, INT3, INTO) checks the gate's DPL and clears EXT; every other origin is
 * external to the program (EXT = 1, no DPL check). `exception` is a fault raised by an instruction;
 * `debug-trap` a #DB after an instruction completed (single-step, INT1); `interrupt` and `nmi`
 * arrive between instructions.
 */
export type EventOrigin = 'exception' | 'software' | 'debug-trap' | 'interrupt' | 'nmi';

export class CpuFault {
  /** RIP of the instruction that faulted (filled by the run loop), as the CPU holds it: a sign-extended number. */
  at = 0;
  /** The same RIP as an unsigned 64-bit value, made only when asked (the run loop delivers most events without). */
  get rip(): bigint {
    return BigInt.asUintN(64, BigInt(this.at));
  }

  set rip(value: bigint) {
    this.at = Number(BigInt.asIntN(64, value));
  }
  /** The instruction that faulted (filled by the run loop). */
  mnemonic: string | undefined = undefined;
  constructor(
    readonly vector: number,
    readonly reason: string,
    readonly errorCode?: number,
    /** For #PF: the linear address (CR2). */
    readonly address?: bigint,
    /** Traps (INT3, INTO, single-step) and interrupts leave RIP after the instruction; faults restore it to the instruction itself. */
    readonly isTrap = false,
    readonly origin: EventOrigin = isTrap ? 'software' : 'exception',
  ) {}

  /** INT n, INT3, INTO: the gate's DPL is checked and EXT is clear. */
  get software(): boolean {
    return this.origin === 'software';
  }

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
/** ICEBP (INT1, opcode F1): a #DB trap delivered as a hardware event (no DPL check, EXT set); DR6 is not changed. */
export const icebp = (): CpuFault => new CpuFault(Vector.DB, 'INT1: debug trap (ICEBP)', undefined, undefined, true, 'debug-trap');
/** The single-step trap after an instruction that began with RFLAGS.TF set (SDM Vol. 3B, 17.3.1.4). */
export const singleStep = (what: string): CpuFault => new CpuFault(Vector.DB, `${what}: single-step trap (RFLAGS.TF was set when it began)`, undefined, undefined, true, 'debug-trap');
/** An instruction breakpoint (DR0-DR3 with DR7): a fault-class #DB before the instruction runs. */
export const instructionBreakpoint = (n: number, address: number): CpuFault =>
  new CpuFault(Vector.DB, `instruction breakpoint DR${n} at ${hex(address)}`, undefined, undefined, false, 'debug-trap');
/** An external interrupt delivered between instructions. */
export const externalInterrupt = (vector: number, source: string): CpuFault =>
  new CpuFault(vector, `external interrupt 0x${vector.toString(16)} (${source})`, undefined, undefined, true, 'interrupt');
/** A non-maskable interrupt. */
export const nonMaskableInterrupt = (): CpuFault => new CpuFault(Vector.NMI, 'non-maskable interrupt', undefined, undefined, true, 'nmi');

/** Thrown for architecture this CPU does not model (task gates, virtual-8086 mode): the run stops with an error naming it. */
export class NotModelled extends Error {}

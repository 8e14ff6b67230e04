/**
 * The narrow view the engine has of the CPU and the assembler. The engine is written against
 * these interfaces; adapters.ts binds them to emulator/ and emulator/asm/.
 */
import type { Mode, RegisterName } from './schema.ts';

export type StopReason = 'hlt' | 'limit' | 'breakpoint' | 'fault' | 'triple-fault' | 'error';

export interface FaultInfo {
  vector: number;
  name: string;
  errorCode?: number;
  /** `#UD: UD2: undefined instruction`: the name, the instruction, the reason. */
  message: string;
  /** Address of the faulting instruction. */
  rip?: number;
}

/** For a triple fault: the fault that started the chain and each fault raised while delivering it. */
export interface FaultChain { first: FaultInfo; nested: FaultInfo[] }

export interface RunOutcome {
  reason: StopReason;
  instructions: number;
  fault?: FaultInfo;
  message?: string;
  chain?: FaultChain;
}

/** Addresses where the learner's code is entered: the registers there are captured once, the first time one is reached. */
export interface EntryWatch { at: number[]; reached(): void }

/** Where a write landed: physical address and length, reported by the machine while it runs. */
export type WriteObserver = (addr: number, length: number) => void;

export interface MachinePort {
  readonly mode: Mode;
  writeBytes(addr: number, bytes: Uint8Array): void;
  readBytes(addr: number, length: number): Uint8Array;
  setReg(name: RegisterName, value: bigint): void;
  getReg(name: RegisterName): bigint;
  cpl(): number;
  /** Restores the architectural state a fresh machine of this mode starts in (registers, control and segment state); memory is left alone. */
  resetCpu(): void;
  /** Runs at most `maxInstructions`; with `timer`, a timer device raises `timer.vector` every `timer.every` retired instructions of this run. */
  run(maxInstructions: number, timer?: TimerSetup, entry?: EntryWatch): RunOutcome;
  /** Loads descriptor-table registers, TR and CR3 as the exercise's `machine:` blocks placed them. */
  setSystem(state: SystemState): void;
  /** Installs or removes the observer told of every memory write while the machine runs. */
  observeWrites(observer: WriteObserver | undefined): void;
}

export interface TimerSetup { vector: number; every: number }

/** Descriptor tables and paging the engine placed in memory; TR's descriptor is a busy TSS. */
export interface SystemState {
  gdtr?: { base: number; limit: number };
  idtr?: { base: number; limit: number };
  tr?: { selector: number; base: number; limit: number };
  /** Loaded into CR3: translation goes through these tables from the first instruction. */
  cr3?: number;
}

export interface MachineFactory {
  create(options: { ramSize: number; mode: Mode; deliverExceptions: boolean }): MachinePort;
}

export interface AsmDiagnostic { severity: 'error' | 'warning' | 'info'; line: number; column: number; endLine: number; endColumn: number; message: string }
export interface AsmSection { name: string; base: number; bytes: Uint8Array }
export interface AsmSymbol { name: string; section: string; value: number; global: boolean }
export interface AsmListingLine { line: number; section: string; offset: number; bytes: Uint8Array }

export interface AsmOutput {
  ok: boolean;
  sections: AsmSection[];
  symbols: AsmSymbol[];
  listing: AsmListingLine[];
  diagnostics: AsmDiagnostic[];
}

export interface AssemblerPort {
  assemble(source: string, options: { bits: 32 | 64; symbols: Record<string, number>; sectionBases: Record<string, number> }): AsmOutput;
}

/** Mnemonics of the instructions in machine code (lower-case), for required/forbidden instruction checks. */
export interface DisassemblerPort {
  mnemonics(code: Uint8Array, bits: 32 | 64): string[];
}

export interface EnginePorts {
  machines: MachineFactory;
  assembler: AssemblerPort;
  disassembler?: DisassemblerPort;
}

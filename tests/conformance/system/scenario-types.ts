/** Scenario and result shapes of switchyard-scenario/1 (see docs/oracles.md and the spec). */

import type { MsrName, RegName, SegName } from '../../../emulator/scenario/types.ts';

// The register, segment and MSR names are the emulator's own: one list for the parser and every oracle.
export { MSR_NAMES, REG_NAMES, SEG_NAMES, type MsrName, type RegName, type SegName } from '../../../emulator/scenario/types.ts';

export interface Table { base: string; limit: string }
export interface MemoryEntry { addr: string; hex: string }

export interface ScenarioCpu {
  mode: 'long64' | 'protected32';
  regs: Record<RegName, string>;
  cr0: string; cr3: string; cr4: string; efer: string;
  gdtr: Table; idtr: Table;
  seg: Record<SegName, string>;
  fsBase?: string; gsBase?: string; kernelGsBase?: string;
  msr?: Partial<Record<MsrName, string>>;
}

export interface Scenario {
  format: 'switchyard-scenario/1';
  name: string;
  ramSize?: string;
  cpu: ScenarioCpu;
  memory: MemoryEntry[];
  limits?: { maxInstructions?: string };
  dump?: { addr: string; len: string }[];
}

export type Stop = 'hlt' | 'triple-fault' | 'limit' | 'error';

export interface ResultCpu {
  mode: 'long64' | 'compat32' | 'protected32';
  cpl: string;
  regs: Record<RegName, string>;
  cr0: string; cr2: string; cr3: string; cr4: string; efer: string;
  gdtr: Table; idtr: Table;
  seg: Record<SegName, string>;
  fsBase: string; gsBase: string; kernelGsBase: string;
  /** An oracle that cannot read an MSR back leaves it out; it is then not compared. */
  msr: Partial<Record<MsrName, string>>;
}

export interface Result {
  format: 'switchyard-result/1';
  stop: Stop;
  instructions: string;
  error?: string;
  cpu?: ResultCpu;
  memory?: MemoryEntry[];
}

/** What an oracle says when it could not run a scenario: not a result. */
export interface OracleError { error: string }

export interface Oracle {
  readonly name: string;
  available(): Promise<string | null>;
  run(s: Scenario): Promise<Result | OracleError>;
  close?(): Promise<void>;
}

export function categoryOf(name: string): string {
  return name.split('/')[0];
}

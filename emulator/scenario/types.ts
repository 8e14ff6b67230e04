import { GPR_DISPLAY_ORDER } from '../arch/registers.ts';
import { SEGMENT_DISPLAY_ORDER } from '../arch/segments.ts';
/** A parsed scenario (switchyard-scenario/1): numbers as bigint, every optional field filled with its default. */
export const SCENARIO_FORMAT = 'switchyard-scenario/1';
export const RESULT_FORMAT = 'switchyard-result/1';

export const REG_NAMES = [...GPR_DISPLAY_ORDER, 'rip', 'rflags'] as const;
export type RegName = (typeof REG_NAMES)[number];
export const SEG_NAMES = [...SEGMENT_DISPLAY_ORDER, 'tr', 'ldtr'] as const;
export type SegName = (typeof SEG_NAMES)[number];
export const MSR_NAMES = ['star', 'lstar', 'cstar', 'sfmask', 'sysenterCs', 'sysenterEsp', 'sysenterEip'] as const;
export type MsrName = (typeof MSR_NAMES)[number];

export type ScenarioMode = 'long64' | 'protected32';

export interface TableRegister {
  base: bigint;
  limit: bigint;
}

export interface Scenario {
  name: string;
  ramSize: bigint;
  cpu: {
    mode: ScenarioMode;
    regs: Record<RegName, bigint>;
    cr0: bigint;
    cr3: bigint;
    cr4: bigint;
    efer: bigint;
    gdtr: TableRegister;
    idtr: TableRegister;
    seg: Record<SegName, bigint>;
    fsBase?: bigint;
    gsBase?: bigint;
    kernelGsBase?: bigint;
    msr: Record<MsrName, bigint>;
  };
  memory: { addr: bigint; bytes: Uint8Array }[];
  limits: { maxInstructions: bigint };
  dump: { addr: bigint; len: bigint }[];
}

export class ScenarioError extends Error {
  constructor(
    /** Where in the input, e.g. `cpu.regs.rax` or `memory[2].hex`. */
    readonly path: string,
    readonly problem: string,
  ) {
    super(`${path}: ${problem}`);
  }
}

/** The emulator's public API (documented in docs/emulator.md). */
export { Machine } from './machine.ts';
export type { ExceptionObserver, FaultInfo, MachineOptions, Mode, RunOptions, RunResult, StopReason, Timer, TimerOptions } from './machine.ts';
export { CpuFault, Vector, BUS_ERROR } from './cpu/faults.ts';
export type { EventOrigin } from './cpu/faults.ts';
export { Cpu, GPR_NAMES, SEGMENT_NAMES } from './cpu/state.ts';
export { ACCESS_READ, ACCESS_WRITE, ACCESS_EXECUTE, ACCESS_USER, identityTranslate } from './memory/linear.ts';
export type { Translate } from './memory/linear.ts';
export { INSTRUCTIONS } from './isa/table.ts';
export type { InstructionFacts, Family } from './isa/table.ts';
export { cpuid } from './cpu/cpuid.ts';
export { pageFault, generalProtection, invalidOpcode, divideError, stackFault } from './cpu/faults.ts';
export { parseScenario, runScenario, ScenarioError, SCENARIO_FORMAT, RESULT_FORMAT } from './scenario/index.ts';
export type { Scenario, ScenarioResult } from './scenario/index.ts';
export { pagingTranslate } from './memory/paging.ts';

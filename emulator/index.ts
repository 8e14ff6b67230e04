/** The emulator's public API (documented in docs/emulator.md). */
export { Machine } from './machine.ts';
export { EXECUTIONS } from './blocks/builder.ts';
export type { Execution, ExceptionObserver, FaultInfo, MachineOptions, Mode, RunOptions, RunResult, StopReason, Timer, TimerOptions } from './machine.ts';
export { CpuFault, Vector, BUS_ERROR } from './arch/faults.ts';
export type { EventOrigin } from './arch/faults.ts';
export { Cpu } from './cpu/state.ts';
export { GPR_NAMES } from './arch/registers.ts';
export { SEGMENT_NAMES } from './arch/segments.ts';
export { ACCESS_READ, ACCESS_WRITE, ACCESS_EXECUTE, ACCESS_USER, identityTranslate } from './memory/linear.ts';
export type { Translate } from './memory/linear.ts';
export { INSTRUCTIONS } from './isa/table.ts';
export type { InstructionFacts, Family } from './isa/table.ts';
export { cpuid } from './cpu/cpuid.ts';
export { pageFault, generalProtection, invalidOpcode, divideError, stackFault } from './arch/faults.ts';
export { parseScenario, runScenario, ScenarioError, SCENARIO_FORMAT, RESULT_FORMAT } from './scenario/index.ts';
export type { Scenario, ScenarioResult } from './scenario/index.ts';
export { pagingTranslate } from './memory/paging.ts';

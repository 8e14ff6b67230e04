/** The exercise engine's public API (pure: runs in Node, a Web Worker and Electron alike). */
export type { Exercise, PreparedExercise, Region } from './exercise.ts';
export { prepareExercise, ExerciseError } from './exercise.ts';
export { gradeSubmission, type GradeOptions } from './grade.ts';
export { mistakeProblems, mistakesReadme, MISTAKE_CASES, type MistakeProblem } from './mistakes.ts';
export { assembleSubmission, type AssembleStage } from './assemble.ts';
export { describeStop, locator } from './stop.ts';
export { traceCase, type CaseReport } from './trace.ts';
export type { GradeResult, CheckResult, FailedCase, Status } from './results.ts';
export { toCheckJson, formatResult } from './results.ts';
export { loadPack, loadExercise, learnerCopy, defaultHarness, PackError, type Pack, type PackFiles } from './pack.ts';
export { parseExerciseSpec, parsePackSpec, SpecError } from './load.ts';
export { CaseRunner } from './run-case.ts';
export { caseMachine, emptyCaseMachine, engineEmulator, emulatorOf, type CaseMachine, type LineAddress } from './case-machine.ts';
export { parseSeed, hex } from './prng.ts';
export { referenceSection, withReferenceSection, REFERENCE_BEGIN, REFERENCE_END } from './reference.ts';
export type { EnginePorts, MachinePort, AssemblerPort, RunOutcome } from './ports.ts';
export type { ExerciseSpec, PackSpec, Mode } from './schema.ts';

/** Bumped when grading could give a different result for the same source (recorded with every attempt). */
export const ENGINE_VERSION = '1.1.0';

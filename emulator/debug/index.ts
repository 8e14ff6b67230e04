/** The debugger engine's public API (documented in docs/debugger.md). */
export { Debugger } from './debugger.ts';
export type { Breakpoint, BreakpointSpec, DebuggerOptions, Stop, StopKind, Watchpoint, WatchpointSpec } from './debugger.ts';
export { Recorder } from './recorder.ts';
export type { AdvanceResult, RecorderOptions } from './recorder.ts';
export { SourceMap } from './source-map.ts';
export { CHECKS, DEFAULT_CHECKS, ERROR_CODE_VECTORS, inspectIretFrame } from './checks.ts';
export type { CheckId, CheckInfo, IretProblems, Warning } from './checks.ts';
export type { ChainEntry, DebugEvent, ExceptionEvent, PrivilegeEvent, RegisterLoadEvent, ReturnEvent, StackSource, SwapgsEvent, TableWriteEvent, TripleFaultEvent } from './events.ts';
export { ExpressionError, parseExpression } from './expr.ts';
export type { ExpressionContext, ParsedExpression } from './expr.ts';
export { isRegisterName, readRegister } from './registers.ts';
export { SNAPSHOT_FORMAT, SnapshotError, restoreSnapshot, takeSnapshot, validateHeader } from './snapshot.ts';
export type { Snapshot, SnapshotHeader } from './snapshot.ts';
export { captureCpu, diffCpuStates, restoreCpu } from './cpu-state.ts';
export type { CpuState } from './cpu-state.ts';
export { DebugService, toWire } from './worker.ts';
export type { MachineFor, RestoreParams } from './worker.ts';
export type { LoadParams, Post, Reply, Request } from './worker.ts';

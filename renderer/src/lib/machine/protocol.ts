/** Messages between the page and the lab worker (the assembler and the debugger run there, never on the page's thread). */
export interface AssembleRequest {
  channel: 'asm';
  id: number;
  source: string;
  bits: 32 | 64;
  symbols: Record<string, number>;
}

export interface WorkerDiagnostic {
  severity: 'error' | 'warning';
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  message: string;
  /** Set when the position is in an included file. */
  file?: string;
  /** Macro invocations and `#include` lines the statement came through, innermost first. */
  related?: { file?: string; line: number; column: number; endLine: number; endColumn: number; message: string }[];
}

export interface AssembleReply {
  channel: 'asm';
  id: number;
  diagnostics: WorkerDiagnostic[];
  elapsedMs: number;
}

export interface DebugRequest {
  channel: 'debug';
  id: number;
  method: string;
  params?: Record<string, unknown>;
}

export type DebugReply = { channel: 'debug'; id: number } & ({ ok: true; result: unknown } | { ok: false; error: { message: string } });

export type WorkerRequest = AssembleRequest | DebugRequest;
export type WorkerReply = AssembleReply | DebugReply;

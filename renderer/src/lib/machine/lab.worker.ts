/// <reference lib="webworker" />
import { assemble } from '../../../../emulator/asm/index.ts';
import { DebugService, type MachineFor } from '../../../../emulator/debug/index.ts';
import { Machine } from '../../../../emulator/index.ts';
import { engineEmulator } from '../../../../exercises/engine/index.ts';
import type { AssembleReply, WorkerRequest } from './protocol.ts';

declare const self: DedicatedWorkerGlobalScope;

// An exercise case's snapshot goes into a machine built as the engine builds one, so its memory is translated as in the graded run.
const caseMachine: MachineFor = (header, params) => {
  const mode = params.mode === 'long64' || params.mode === 'protected32' ? params.mode : undefined;
  return mode ? engineEmulator({ ramSize: header.ramSize, mode, deliverExceptions: header.deliverExceptions }) : new Machine({ ramSize: header.ramSize });
};
const debug = new DebugService((message, transfer) => self.postMessage({ channel: 'debug', ...(message as object) }, transfer ?? []), caseMachine);

self.onmessage = (event: MessageEvent<WorkerRequest>) => {
  const request = event.data;
  if (request.channel === 'debug') {
    void debug.onMessage({ id: request.id, method: request.method, params: request.params });
    return;
  }
  const started = performance.now();
  const result = assemble(request.source, { bits: request.bits, symbols: request.symbols });
  const reply: AssembleReply = { channel: 'asm', id: request.id, diagnostics: result.diagnostics, elapsedMs: performance.now() - started };
  self.postMessage(reply);
};

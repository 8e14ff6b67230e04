/// <reference lib="webworker" />
import { assemble } from '../../../../emulator/asm/index.ts';
import { DebugService } from '../../../../emulator/debug/index.ts';
import type { AssembleReply, WorkerRequest } from './protocol.ts';

declare const self: DedicatedWorkerGlobalScope;

const debug = new DebugService((message, transfer) => self.postMessage({ channel: 'debug', ...(message as object) }, transfer ?? []));

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

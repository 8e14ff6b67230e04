import LabWorker from './lab.worker.ts?worker';
import type { AssembleReply, WorkerDiagnostic, WorkerReply } from './protocol.ts';

/**
 * The page's handle on the lab worker. Assembling for diagnostics keeps only the newest request
 * (older replies are dropped); debugger calls are answered in order. `stop()` ends a runaway run
 * by ending the worker itself: the next call starts a fresh one.
 */
export class LabWorkerClient {
  #worker: Worker | undefined;
  #nextId = 1;
  #latestAsm = 0;
  readonly #pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  readonly #asmWaiters = new Map<number, (reply: AssembleReply) => void>();

  #ensure(): Worker {
    if (this.#worker) return this.#worker;
    const worker = new LabWorker();
    worker.onmessage = (event: MessageEvent<WorkerReply>) => this.#receive(event.data);
    worker.onerror = (event) => this.#failAll(new Error(`the lab worker failed: ${event.message}`));
    this.#worker = worker;
    return worker;
  }

  #receive(reply: WorkerReply): void {
    if (reply.channel === 'asm') {
      const waiter = this.#asmWaiters.get(reply.id);
      this.#asmWaiters.delete(reply.id);
      if (waiter && reply.id === this.#latestAsm) waiter(reply);
      return;
    }
    const pending = this.#pending.get(reply.id);
    if (!pending) return;
    this.#pending.delete(reply.id);
    if (reply.ok) pending.resolve(reply.result);
    else pending.reject(new Error(reply.error.message));
  }

  #failAll(error: Error): void {
    for (const pending of this.#pending.values()) pending.reject(error);
    this.#pending.clear();
    this.#asmWaiters.clear();
  }

  /** Resolves with the diagnostics of the newest source only; superseded requests never resolve. */
  diagnose(source: string, bits: 32 | 64, symbols: Record<string, number>): Promise<{ diagnostics: WorkerDiagnostic[]; elapsedMs: number }> {
    const id = this.#nextId++;
    this.#latestAsm = id;
    return new Promise((resolve) => {
      this.#asmWaiters.set(id, resolve);
      this.#ensure().postMessage({ channel: 'asm', id, source, bits, symbols: { ...symbols } });
    });
  }

  /** `binary`: parameters that are buffers (a snapshot's pages), transferred to the worker rather than copied. */
  debug<T = unknown>(method: string, params?: Record<string, unknown>, binary: Record<string, ArrayBuffer> = {}): Promise<T> {
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      // Parameters may be reactive proxies, which cannot be cloned into a worker: send plain JSON.
      const plain = params === undefined ? undefined : (JSON.parse(JSON.stringify(params)) as Record<string, unknown>);
      const buffers = Object.values(binary);
      this.#ensure().postMessage({ channel: 'debug', id, method, params: buffers.length ? { ...plain, ...binary } : plain }, buffers);
    });
  }

  /** Pauses a running `continue` (the worker yields between slices); if it does not answer, ends the worker. */
  async stop(graceMs = 500): Promise<'paused' | 'terminated'> {
    if (!this.#worker) return 'paused';
    const paused = this.debug('pause').then(() => 'paused' as const);
    const timeout = new Promise<'terminated'>((resolve) => setTimeout(() => resolve('terminated'), graceMs));
    const outcome = await Promise.race([paused, timeout]);
    if (outcome === 'terminated') this.terminate();
    return outcome;
  }

  terminate(): void {
    this.#worker?.terminate();
    this.#worker = undefined;
    this.#failAll(new Error('stopped'));
  }
}

let shared: LabWorkerClient | undefined;
export function labWorker(): LabWorkerClient {
  shared ??= new LabWorkerClient();
  return shared;
}

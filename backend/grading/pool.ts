/** A fixed set of worker threads that survives its workers: a crash or a hang fails one task, and a fresh worker takes its place. */
import { Worker } from 'node:worker_threads';

/** What a worker posts once its module has loaded (ts-worker.mjs does it for TypeScript workers). */
const READY = '__switchyard_worker_ready__';

export interface PoolOptions<Init> {
  script: URL;
  size: number;
  /** Sent to every worker once, before its first task. */
  init: Init;
  /** Wall-clock limit per task, after which the worker is replaced. */
  taskTimeoutMs: number;
}

export type TaskOutcome<R> = { ok: true; value: R } | { ok: false; error: string };

interface Slot<T, R> {
  worker: Worker;
  ready: boolean;
  busy?: { task: T; resolve: (o: TaskOutcome<R>) => void; timer: NodeJS.Timeout };
}

export class WorkerPool<Init, T, R> {
  private readonly slots: Slot<T, R>[] = [];
  private readonly queue: { task: T; resolve: (o: TaskOutcome<R>) => void }[] = [];
  private closed = false;
  /** How many workers had to be replaced. */
  respawns = 0;
  /** Workers that died before they were ready, in a row: a worker that cannot start is not retried forever. */
  private failedStarts = 0;
  private static readonly MAX_FAILED_STARTS = 3;

  constructor(private readonly options: PoolOptions<Init>) {
    for (let i = 0; i < options.size; i++) this.slots.push(this.spawn());
  }

  private spawn(): Slot<T, R> {
    // TypeScript sources (tests, a checkout's sources) need the loader; the bundled CLI's worker is plain JavaScript.
    const script = this.options.script.pathname.endsWith('.ts') ? new URL('./ts-worker.mjs', import.meta.url) : this.options.script;
    const worker = new Worker(script, { workerData: { script: this.options.script.href, init: this.options.init, ready: READY }, stderr: false });
    const slot: Slot<T, R> = { worker, ready: false };
    worker.on('message', (message: TaskOutcome<R> | typeof READY) => {
      if (message === READY) { slot.ready = true; this.pump(); } else this.finish(slot, message, false);
    });
    worker.on('message', () => { this.failedStarts = 0; });
    worker.on('error', (error) => this.died(slot, `the grader crashed on this submission: ${error.message}`, `the grader could not start: ${error.message}`));
    worker.on('exit', (code) => {
      if (!this.closed) this.died(slot, `the grader crashed on this submission (its worker exited with code ${code})`, `the grader could not start (its worker exited with code ${code})`);
    });
    return slot;
  }

  run(task: T): Promise<TaskOutcome<R>> {
    return new Promise((resolve) => {
      if (this.closed) { resolve({ ok: false, error: 'the grader could not start' }); return; }
      this.queue.push({ task, resolve });
      this.pump();
    });
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (!slot.ready || slot.busy || this.queue.length === 0) continue;
      const next = this.queue.shift()!;
      const timer = setTimeout(() => {
        this.finish(slot, { ok: false, error: `grading took longer than ${Math.round(this.options.taskTimeoutMs / 1000)} s and was stopped` }, true);
      }, this.options.taskTimeoutMs);
      slot.busy = { ...next, timer };
      slot.worker.postMessage(next.task);
    }
  }

  private died(slot: Slot<T, R>, crashed: string, couldNotStart: string): void {
    if (slot.ready) { this.finish(slot, { ok: false, error: crashed }, true); return; }
    if (++this.failedStarts < WorkerPool.MAX_FAILED_STARTS) { this.finish(slot, { ok: false, error: crashed }, true); return; }
    this.closed = true;
    for (const waiting of this.queue.splice(0)) waiting.resolve({ ok: false, error: couldNotStart });
  }

  private finish(slot: Slot<T, R>, outcome: TaskOutcome<R>, replace: boolean): void {
    const index = this.slots.indexOf(slot);
    if (index < 0) return;
    const busy = slot.busy;
    slot.busy = undefined;
    if (busy) { clearTimeout(busy.timer); busy.resolve(outcome); }
    if (replace && !this.closed) {
      slot.worker.removeAllListeners();
      void slot.worker.terminate();
      this.slots[index] = this.spawn();
      this.respawns++;
    }
    this.pump();
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}

// The bundled CLI's grading worker (dist/cli/grade-worker.mjs). As backend/grading/ts-worker.mjs does for
// the sources: load the worker module, then tell the pool it is ready, so a slow start never counts against a task.
import '../../backend/grading/worker.ts';
import { parentPort, workerData } from 'node:worker_threads';

parentPort!.postMessage((workerData as { ready: string }).ready);

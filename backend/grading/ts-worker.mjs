// Worker threads start without the TypeScript loader the CLI runs under: register it, then load the real worker module.
import { register } from 'tsx/esm/api';
import { parentPort, workerData } from 'node:worker_threads';

register();
await import(workerData.script);
// Tasks are sent only after this, so that a slow start never counts against a task's time limit.
parentPort.postMessage(workerData.ready);

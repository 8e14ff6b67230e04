// Worker threads start without the TypeScript loader the CLI runs under: register it, then load the real worker module.
import { register } from 'tsx/esm/api';
import { workerData } from 'node:worker_threads';

register();
await import(workerData.script);

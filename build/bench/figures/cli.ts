// cli.start_ms: wall-clock time of `switchyard --help` as a fresh process (Node's own start-up included),
// the cost every scripted or autograder call pays before any work. The bundle is built first, so a
// stale build is not what is timed.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCli } from '../../scripts/build-lib.mjs';
import type { Figure } from '../figure.ts';

const bin = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'bin', 'switchyard.mjs');
let built = false;

export const figures: Figure[] = [
  {
    name: 'cli.start_ms',
    unit: 'ms',
    runs: 9,
    async measure() {
      if (!built) {
        await buildCli();
        built = true;
      }
      const t0 = performance.now();
      const run = spawnSync(process.execPath, [bin, '--help'], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
      const ms = performance.now() - t0;
      if (run.status !== 0) throw new Error(`switchyard --help exited with ${run.status}: ${run.stderr}`);
      return ms;
    },
  },
];

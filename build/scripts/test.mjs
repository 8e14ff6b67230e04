// `npm test`: every check CI runs, in order, stopping at the first failure.
import { spawnSync } from 'node:child_process';
import { ensureDeps, root } from './ensure-deps.mjs';

ensureDeps();

const steps = [
  ['lint', ['npx', 'eslint', '.']],
  ['typecheck', ['npm', 'run', '-s', 'typecheck']],
  ['unit and integration tests', ['npx', 'vitest', 'run']],
];

for (const [name, [cmd, ...args]] of steps) {
  process.stderr.write(`\n== ${name}\n`);
  const result = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    process.stderr.write(`\nnpm test: ${name} failed.\n`);
    process.exit(result.status ?? 1);
  }
}

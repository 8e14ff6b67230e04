import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The end-to-end tests drive the built app: build whatever is stale first (fast when nothing is). */
export default function globalSetup(): void {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const result = spawnSync(process.execPath, [join(root, 'build', 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`build/scripts/build.mjs failed (exit ${result.status})`);
}

// Uses nothing outside Node itself: it runs before node_modules exists on a fresh clone.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function installedIsCurrent() {
  const marker = join(root, 'node_modules', '.package-lock.json');
  if (!existsSync(marker)) return false;
  return statSync(marker).mtimeMs >= statSync(join(root, 'package-lock.json')).mtimeMs;
}

/** Installs the locked dependencies when they are missing or older than package-lock.json. */
export function ensureDeps() {
  if (installedIsCurrent()) return;
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  process.stderr.write('switchyard: installing dependencies (npm ci) ...\n');
  const result = spawnSync(npm, ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  if (result.status !== 0) {
    process.stderr.write('switchyard: `npm ci` failed; see the messages above.\n');
    process.exit(result.status ?? 1);
  }
}

export function readJson(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

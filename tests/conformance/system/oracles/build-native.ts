/** Builds an oracle's C runner with gcc into a cache directory keyed by the source's hash. */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');

export function buildRunner(relSource: string, name: string): string {
  const src = join(repoRoot, relSource);
  const hash = createHash('sha256').update(readFileSync(src)).digest('hex').slice(0, 12);
  const dir = join(tmpdir(), 'switchyard-oracles');
  mkdirSync(dir, { recursive: true });
  const exe = join(dir, `${name}-${hash}`);
  if (!existsSync(exe)) {
    const r = spawnSync('gcc', ['-O2', '-Wall', '-o', exe, src], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`gcc could not build ${relSource}: ${r.stderr || r.error?.message}`);
  }
  return exe;
}

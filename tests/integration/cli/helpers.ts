import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../../../electron/cli/main.ts';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const PACK = join(ROOT, 'exercises/pack');

export interface Ran { code: number; stdout: string; stderr: string }

/** Runs the `switchyard` command line in this process, capturing its output. */
export async function cli(...argv: string[]): Promise<Ran> {
  let stdout = '', stderr = '';
  const code = await main(argv, { stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; }, stderrIsTTY: false });
  return { code, stdout, stderr };
}

export const packFile = (exercise: string, name: string) => readFileSync(join(PACK, exercise, name), 'utf8');

export function scratch(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `switchyard-${prefix}-`));
}

/** Writes files (path → text or bytes) under a fresh directory and returns it. */
export function tree(prefix: string, files: Record<string, string | Uint8Array>): string {
  const dir = scratch(prefix);
  for (const [path, data] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), data);
  }
  return dir;
}

export function copyPack(): string {
  const dir = scratch('pack');
  cpSync(PACK, dir, { recursive: true });
  return dir;
}

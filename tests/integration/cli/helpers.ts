import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../../../backend/cli/main.ts';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const BUNDLED = join(ROOT, 'exercises/pack');
const FORMAT_EXAMPLES = ['save-context', 'callee-saved'];

/** A pack of the two format examples alone, so that these tests do not change as the bundled curriculum grows. */
export const PACK = (() => {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-examples-'));
  for (const id of FORMAT_EXAMPLES) cpSync(join(BUNDLED, id), join(dir, id), { recursive: true });
  writeFileSync(join(dir, 'pack.yaml'), `id: switchyard-core\ntitle: Format examples\ntracks:\n  - id: contexts\n    title: Contexts\n    exercises: [${FORMAT_EXAMPLES.join(', ')}]\n`);
  return dir;
})();

export interface Ran { code: number; stdout: string; stderr: string }

/** Runs the `switchyard` command line in this process, capturing its output. */
export async function cli(...argv: string[]): Promise<Ran> {
  return cliWith(false, argv);
}

/** The same, with stderr said to be a terminal (progress bars are drawn only then). */
export async function cliWith(stderrIsTTY: boolean, argv: string[]): Promise<Ran> {
  let stdout = '', stderr = '';
  const code = await main(argv, { stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; }, stderrIsTTY });
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

/**
 * The files of this Switchyard build that grading needs (the command line, the engine, the
 * emulator and the lockfile), so an autograder runs exactly the version that made it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const APP_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const APP_FOLDERS = ['bin', 'electron', 'emulator', 'exercises/engine'];
const APP_FILES = ['package.json', 'package-lock.json', 'tsconfig.base.json', 'tsconfig.json', 'LICENSE'];
const SKIPPED = /(^|\/)(node_modules|dist|\.[^/]*)(\/|$)/;

export function appFiles(root = APP_ROOT): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  const walk = (rel: string): void => {
    for (const entry of readdirSync(join(root, rel), { withFileTypes: true })) {
      const path = `${rel}/${entry.name}`;
      if (SKIPPED.test(path)) continue;
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) files.set(path, readFileSync(join(root, path)));
    }
  };
  for (const folder of APP_FOLDERS) walk(folder);
  for (const file of APP_FILES) {
    try {
      files.set(file, readFileSync(join(root, file)));
    } catch {
      // LICENSE is optional in a checkout.
    }
  }
  return files;
}

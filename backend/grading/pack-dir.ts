/** Reading packs and submissions from disk, with limits checked before anything large is read. */
import { InputError } from '../store/validation.ts';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { loadPack, type Pack, type PackFiles } from '../../exercises/engine/index.ts';
import { appRoot } from '../app-root.ts';

export const MAX_PACK_FILE_BYTES = 1024 * 1024;
const MAX_PACK_FILES = 2000;
const PACK_EXTENSIONS = ['.yaml', '.yml', '.md', '.s', '.S', '.asm'];

/** The pack that ships with Switchyard. */
export function bundledPackDir(): string {
  return join(appRoot(), 'exercises', 'pack');
}


/** Every text file of a pack directory, by path relative to it (always with `/`). */
export function readPackFiles(dir: string): PackFiles {
  let info;
  try { info = statSync(dir); } catch { throw new InputError(`${dir}: no such pack directory`); }
  if (!info.isDirectory()) throw new InputError(`${dir}: not a directory (a pack is a folder with pack.yaml)`);
  const files: PackFiles = new Map();
  const walk = (at: string) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const full = join(at, entry.name);
      if (entry.isDirectory()) { walk(full); continue; }
      if (!entry.isFile() || !PACK_EXTENSIONS.some((e) => entry.name.endsWith(e))) continue;
      const rel = relative(dir, full).split(sep).join('/');
      const size = statSync(full).size;
      if (size > MAX_PACK_FILE_BYTES) throw new InputError(`${full}: ${size} bytes is larger than the ${MAX_PACK_FILE_BYTES}-byte limit for a pack file`);
      if (files.size >= MAX_PACK_FILES) throw new InputError(`${dir}: more than ${MAX_PACK_FILES} files; is this really a pack?`);
      files.set(rel, readFileSync(full, 'utf8'));
    }
  };
  walk(dir);
  return files;
}

/** Loads and validates a pack directory; messages name files relative to the current directory. */
export function readPack(dir: string): Pack {
  const shown = relative(process.cwd(), dir) || '.';
  return loadPack(readPackFiles(dir), shown.startsWith('..') ? dir : shown);
}

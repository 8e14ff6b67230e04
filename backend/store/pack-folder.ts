/** A pack handed out as a folder becomes the same `switchyard-pack/1` container a pack file holds. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { MAX_PACK_ENTRIES, MAX_PACK_ENTRY_BYTES, PackImportError, createPackFile } from './pack-file.ts';
import { formatBytes } from './validation.ts';

/** Hidden files and folders (".git", ".DS_Store") are not part of a pack. */
export function readPackFolder(dir: string): Map<string, Uint8Array> {
  let info;
  try {
    info = statSync(dir);
  } catch {
    throw new PackImportError(`${dir}: no such file or folder`);
  }
  if (!info.isDirectory()) throw new PackImportError(`${dir}: not a folder`);
  const files = new Map<string, Uint8Array>();
  const walk = (at: string): void => {
    for (const entry of readdirSync(at, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.name.startsWith('.')) continue;
      const full = join(at, entry.name);
      if (entry.isDirectory()) {
        walk(full);
        continue;
      }
      if (!entry.isFile()) continue;
      const size = statSync(full).size;
      if (size > MAX_PACK_ENTRY_BYTES) throw new PackImportError(`${full}: it is ${formatBytes(size)}, larger than the limit of ${formatBytes(MAX_PACK_ENTRY_BYTES)} per file`);
      if (files.size >= MAX_PACK_ENTRIES) throw new PackImportError(`${dir}: more than ${MAX_PACK_ENTRIES} files; is this really an exercise pack?`);
      files.set(relative(dir, full).split(sep).join('/'), readFileSync(full));
    }
  };
  walk(dir);
  return files;
}

export function packFileFromFolder(dir: string): string {
  return createPackFile(readPackFolder(dir));
}

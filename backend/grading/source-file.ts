/** Reading one learner source file safely: size checked before reading, text checked before assembling. */
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { preprocess, wantsPreprocessor, type IncludeReader } from '../../emulator/asm/index.ts';

export const MAX_SOURCE_BYTES = 256 * 1024;

export type SourceRead = { ok: true; text: string } | { ok: false; error: string };

/** Decodes submitted bytes as assembly source, or says why they are not. */
export function decodeSource(bytes: Uint8Array, label: string): SourceRead {
  if (bytes.length === 0) return { ok: false, error: `${label}: the file is empty` };
  const sample = bytes.subarray(0, 8192);
  if (sample.includes(0)) return { ok: false, error: `${label}: binary data (NUL bytes), not assembly source text` };
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return { ok: false, error: `${label}: not UTF-8 text; save the file as UTF-8` };
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return { ok: true, text };
}

/**
 * `#include "name"` and `.include "name"` for files under `root` only (the exercise or the folder a
 * submission is in): a name is looked up beside the including file, and anything resolving outside
 * `root` (by `..`, an absolute path or a symbolic link) is refused.
 */
export function includeReaderWithin(root: string, limit = MAX_SOURCE_BYTES): IncludeReader {
  let top: string;
  try {
    top = realpathSync(root);
  } catch {
    top = resolve(root);
  }
  return (name, from) => {
    const base = from === '' ? top : dirname(resolve(top, from));
    const wanted = resolve(base, name);
    let real: string;
    try {
      real = realpathSync(wanted);
    } catch {
      return { ok: false, error: `#include "${name}": no such file in ${relative(process.cwd(), top) || '.'}` };
    }
    const rel = relative(top, real);
    if (rel === '' || rel.startsWith(`..${sep}`) || rel === '..' || isAbsolute(rel)) return { ok: false, error: `#include "${name}": the file is outside the exercise folder; only files inside it can be included` };
    const read = readSourceFile(real, limit, { preprocess: false });
    if (!read.ok) return { ok: false, error: `#include "${name}": ${read.error}` };
    return { ok: true, file: rel.split(sep).join('/'), text: read.text };
  };
}

/**
 * Reads a source file. A `.S` file (or one that starts with a preprocessor directive; never a `.s`
 * file) goes through the C preprocessor, with includes from its own folder; the text returned then
 * carries line markers, so diagnostics still name the original lines.
 */
export function readSourceFile(path: string, limit = MAX_SOURCE_BYTES, options: { preprocess?: boolean; includeRoot?: string } = {}): SourceRead {
  const read = readRawSourceFile(path, limit);
  if (!read.ok || options.preprocess === false || !wantsPreprocessor(read.text, path)) return read;
  const root = options.includeRoot ?? dirname(path);
  const name = relative(root, path).split(sep).join('/');
  return { ok: true, text: preprocess(read.text, { file: name, include: includeReaderWithin(root, limit) }) };
}

function readRawSourceFile(path: string, limit: number): SourceRead {
  let size: number;
  try {
    const info = statSync(path);
    if (!info.isFile()) return { ok: false, error: `${path}: not a file` };
    size = info.size;
  } catch {
    return { ok: false, error: `${path}: no such file` };
  }
  if (size > limit) return { ok: false, error: `${path}: ${size} bytes is larger than the ${limit}-byte limit for a source file` };
  return decodeSource(readFileSync(path), path);
}

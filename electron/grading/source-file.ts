/** Reading one learner source file safely: size checked before reading, text checked before assembling. */
import { readFileSync, statSync } from 'node:fs';

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

export function readSourceFile(path: string, limit = MAX_SOURCE_BYTES): SourceRead {
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

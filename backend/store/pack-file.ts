import { createHash } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { InputError, formatBytes, parseJsonText } from './validation.ts';

export const PACK_FORMAT = 'switchyard-pack/1';
export const MAX_PACK_FILE_BYTES = 32 * 1024 * 1024;
export const MAX_PACK_ENTRIES = 2000;
export const MAX_PACK_ENTRY_BYTES = 2 * 1024 * 1024;
const MAX_PACK_PATH_LENGTH = 240;
const PACK_MANIFEST = 'pack.yaml';

/** A pack's files by relative path (always `/`-separated, never escaping the pack). */
export type PackFiles = ReadonlyMap<string, Uint8Array>;

export interface PackExerciseInfo {
  readonly id: string;
  readonly title?: string;
  /** Every pack path this exercise is made of (its folder, plus any shared file it uses). */
  readonly files: readonly string[];
}

export type PackValidation = { readonly ok: true; readonly exercises: readonly PackExerciseInfo[] } | { readonly ok: false; readonly error: string };

/** Checks the exercise content of a pack (the engine provides it). */
export type PackValidator = (files: PackFiles) => PackValidation;

export interface ParsedPack {
  readonly id: string;
  readonly title: string;
  readonly files: PackFiles;
  /** Content hash of the whole pack: `sha256:` over every path and its content's hash. */
  readonly hash: string;
}

/** A pack that cannot be imported; the message says what is wrong and where. */
export class PackImportError extends InputError {
  override readonly name = 'PackImportError';
}

const entrySchema = z.strictObject({
  path: z.string(),
  type: z.string().optional(),
  text: z.string().optional(),
  base64: z.string().optional(),
});

const containerSchema = z.strictObject({
  format: z.literal(PACK_FORMAT),
  files: z.array(z.unknown()),
});

/**
 * Reads a pack container (see docs/pack-file.md) and checks everything that does not need the
 * engine: size limits, the shape, every path, duplicates, and the manifest's id and title.
 */
export function parsePackFile(bytes: Uint8Array, what = 'pack file'): ParsedPack {
  const fail = (message: string): never => {
    throw new PackImportError(`${what}: ${message}`);
  };
  if (bytes.byteLength > MAX_PACK_FILE_BYTES) {
    fail(`it is ${formatBytes(bytes.byteLength)}, larger than the limit of ${formatBytes(MAX_PACK_FILE_BYTES)}`);
  }
  let json: unknown;
  try {
    json = parseJsonText(what, bytes);
  } catch (e) {
    throw new PackImportError((e as Error).message);
  }
  const format = (json as { format?: unknown } | null)?.format;
  if (typeof json === 'object' && json !== null && !Array.isArray(json) && typeof format === 'string' && format !== PACK_FORMAT) {
    fail(`format is "${format}", expected "${PACK_FORMAT}"`);
  }
  const container = containerSchema.safeParse(json);
  if (!container.success) {
    const issue = container.error.issues[0];
    fail(`${issue.path.join('.') || 'the top level'}: ${issue.message}`);
  }
  const rawEntries = (container.data as z.infer<typeof containerSchema>).files;
  if (rawEntries.length > MAX_PACK_ENTRIES) fail(`it holds ${rawEntries.length} files, more than the limit of ${MAX_PACK_ENTRIES}`);

  const files = new Map<string, Uint8Array>();
  const byFoldedPath = new Map<string, number>();
  const indexOf = new Map<string, number>();
  rawEntries.forEach((raw, i) => {
    const entry = entrySchema.safeParse(raw);
    if (!entry.success) {
      const issue = entry.error.issues[0];
      fail(`files[${i}]${issue.path.length > 0 ? `.${issue.path.join('.')}` : ''}: ${issue.message}`);
    }
    const { path, type, text, base64 } = entry.data as z.infer<typeof entrySchema>;
    const where = `files[${i}].path ${JSON.stringify(path)}`;
    if (type !== undefined && type !== 'file') fail(`files[${i}] (${JSON.stringify(path)}) has type "${type}": a pack holds regular files only`);
    const pathProblem = checkPackPath(path);
    if (pathProblem !== null) fail(`${where} ${pathProblem}`);
    const folded = path.toLowerCase();
    const earlier = byFoldedPath.get(folded);
    if (earlier !== undefined) {
      const earlierPath = (rawEntries[earlier] as { path: string }).path;
      fail(earlierPath === path ? `${where} appears twice (also files[${earlier}])`
        : `${where} differs from files[${earlier}].path ${JSON.stringify(earlierPath)} only in letter case`);
    }
    byFoldedPath.set(folded, i);
    indexOf.set(path, i);
    if ((text === undefined) === (base64 === undefined)) fail(`files[${i}] (${JSON.stringify(path)}) needs exactly one of "text" or "base64"`);
    let content: Uint8Array;
    if (text !== undefined) content = Buffer.from(text, 'utf8');
    else {
      if (!isBase64(base64 as string)) fail(`files[${i}].base64 (${JSON.stringify(path)}) is not valid base64`);
      content = Buffer.from(base64 as string, 'base64');
    }
    if (content.byteLength > MAX_PACK_ENTRY_BYTES) {
      fail(`files[${i}] (${JSON.stringify(path)}) is ${formatBytes(content.byteLength)}, larger than the limit of ${formatBytes(MAX_PACK_ENTRY_BYTES)} per file`);
    }
    files.set(path, content);
  });

  // A path cannot be both a file and a folder ("a" and "a/b").
  for (const path of files.keys()) {
    const parts = path.split('/');
    for (let n = 1; n < parts.length; n++) {
      const folder = parts.slice(0, n).join('/');
      if (files.has(folder)) fail(`files[${indexOf.get(folder)}].path ${JSON.stringify(folder)} is a file, but files[${indexOf.get(path)}].path ${JSON.stringify(path)} uses it as a folder`);
    }
  }

  const manifest = files.get(PACK_MANIFEST);
  if (manifest === undefined) fail(`it has no ${PACK_MANIFEST} at its top level`);
  const { id, title } = readManifest(manifest as Uint8Array, what);
  return { id, title, files, hash: packHash(files) };
}

/** Why a path may not be in a pack, or null when it may. */
export function checkPackPath(path: string): string | null {
  if (path === '') return 'is empty';
  if (path.includes('\0')) return 'contains a NUL character';
  if (/[\u0001-\u001f\u007f]/.test(path)) return 'contains a control character';
  if (path.includes('\\')) return 'contains a backslash: separate folders with "/"';
  if (path.startsWith('/')) return 'is absolute: paths are relative to the pack';
  if (/^[A-Za-z]:/.test(path)) return 'starts with a drive letter: paths are relative to the pack';
  if (path.length > MAX_PACK_PATH_LENGTH) return `is longer than ${MAX_PACK_PATH_LENGTH} characters`;
  for (const segment of path.split('/')) {
    if (segment === '') return 'has an empty folder name ("//" or a trailing "/")';
    if (segment === '..') return 'contains "..": a path may not leave the pack';
    if (segment === '.') return 'contains a "." folder';
    if (/[:*?"<>|]/.test(segment)) return 'contains one of : * ? " < > |, which Windows does not allow in file names';
  }
  return null;
}

function isBase64(s: string): boolean {
  return s.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(s);
}

function readManifest(bytes: Uint8Array, what: string): { id: string; title: string } {
  const fail = (message: string): never => {
    throw new PackImportError(`${what}: ${PACK_MANIFEST}: ${message}`);
  };
  let text = '';
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    fail('is not UTF-8 text');
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    fail((e as Error).message.split('\n')[0]);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) fail('must be a mapping with id and title');
  const { id, title } = doc as { id?: unknown; title?: unknown };
  if (typeof id !== 'string' || !/^[a-z0-9][a-z0-9._-]*$/.test(id)) fail('id must be a string of lower-case letters, digits, ".", "_" or "-"');
  if (typeof title !== 'string' || title.trim() === '') fail('title must be a non-empty string');
  return { id: id as string, title: (title as string).trim() };
}

export function contentHash(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

function listingHash(kind: string, paths: Iterable<string>, files: PackFiles): string {
  const listing = [...paths].sort().map((p) => [p, contentHash(files.get(p) as Uint8Array)]);
  return contentHash(Buffer.from(JSON.stringify([kind, listing]), 'utf8'));
}

export function packHash(files: PackFiles): string {
  return listingHash('pack', files.keys(), files);
}

/** An exercise's version: its id and the content of every file it is made of. */
export function exerciseVersionHash(exerciseId: string, paths: readonly string[], files: PackFiles): string {
  return listingHash(`exercise:${exerciseId}`, new Set(paths), files);
}

/** Builds a pack container from files (the inverse of parsePackFile). */
export function createPackFile(files: ReadonlyMap<string, Uint8Array | string>): string {
  const entries = [...files.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([path, content]) => {
    if (typeof content === 'string') return { path, text: content };
    try {
      return { path, text: new TextDecoder('utf-8', { fatal: true }).decode(content) };
    } catch {
      return { path, base64: Buffer.from(content).toString('base64') };
    }
  });
  return `${JSON.stringify({ format: PACK_FORMAT, files: entries }, null, 1)}\n`;
}

/** Finding the submissions of a class on disk: one folder of .s files or one submission bundle per student. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { MAX_SUBMISSION_BYTES, parseSubmissionBundle } from '../store/submission-bundle.ts';
import { readSourceFile, type SourceRead } from './source-file.ts';
import { InputError } from '../store/validation.ts';

const MAX_BUNDLE_BYTES = MAX_SUBMISSION_BYTES;
const SOURCE_EXTENSIONS = ['.s', '.S', '.asm'];

export interface Submission {
  /** Who: a folder name, or the name in a bundle. */
  student: string;
  path: string;
  /** Exercise id → its source, or why there is none. */
  sources: Map<string, SourceRead>;
  /** Set when nothing of the submission could be read. */
  error?: string;
}

/** Reads one `switchyard-submission/1` bundle (see docs/submission-bundle.md), refusing oversize files before reading them. */
export function readBundle(path: string, exerciseIds: string[]): Submission {
  const fallback = basename(path).replace(/\.json$/i, '');
  const fail = (error: string): Submission => ({ student: fallback, path, sources: new Map(), error });
  const size = statSync(path).size;
  if (size > MAX_BUNDLE_BYTES) return fail(`${path}: ${size} bytes is larger than the ${MAX_BUNDLE_BYTES}-byte limit for a submission bundle`);
  let bundle;
  try { bundle = parseSubmissionBundle(readFileSync(path), path); } catch (e) { return fail((e as Error).message); }
  const byId = new Map(bundle.exercises.map((e) => [e.id, e.source] as const));
  const sources = new Map<string, SourceRead>();
  for (const id of exerciseIds) {
    const source = byId.get(id);
    sources.set(id, source === undefined ? { ok: false, error: `${path}: the bundle has no source for ${id}` } : source.trim() === '' ? { ok: false, error: `${path}: the source for ${id} is empty` } : { ok: true, text: source });
  }
  const who = bundle.student.id ? `${bundle.student.name} (${bundle.student.id})` : bundle.student.name;
  return { student: who, path, sources };
}

function readFolder(path: string, student: string, exerciseIds: string[]): Submission {
  const names = new Set(readdirSync(path));
  const sources = new Map<string, SourceRead>();
  for (const id of exerciseIds) {
    const name = SOURCE_EXTENSIONS.map((e) => `${id}${e}`).find((n) => names.has(n));
    sources.set(id, name ? readSourceFile(join(path, name)) : { ok: false, error: `${join(path, `${id}.s`)}: not submitted` });
  }
  return { student, path, sources };
}

/**
 * A submissions directory holds one entry per student (a folder of `<exercise>.s` files, or a bundle
 * `.json`). A directory that itself holds `<exercise>.s` files is a single submission (Gradescope's
 * layout); when one exercise is graded, a directory of other `.s` files holds one file per student
 * (`alice.s`, `bob.s`).
 */
export function discoverSubmissions(dir: string, exerciseIds: string[]): Submission[] {
  let entries;
  try {
    if (!statSync(dir).isDirectory()) {
      if (dir.toLowerCase().endsWith('.json')) return [readBundle(dir, exerciseIds)];
      throw new InputError(`${dir}: not a directory of submissions`);
    }
    entries = readdirSync(dir, { withFileTypes: true }).filter((e) => !e.name.startsWith('.')).sort((a, b) => a.name.localeCompare(b.name));
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(`${dir}: no such submissions directory`);
  }
  const sourceName = (name: string) => SOURCE_EXTENSIONS.find((x) => name.endsWith(x));
  const sources = entries.filter((e) => e.isFile() && sourceName(e.name));
  const stem = (name: string) => name.slice(0, name.length - sourceName(name)!.length);
  const perStudentFiles = exerciseIds.length === 1 && sources.length > 0 && sources.every((e) => !exerciseIds.includes(stem(e.name)));
  if (sources.length && !perStudentFiles) return [readFolder(dir, basename(dir), exerciseIds)];
  return entries.map((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return readFolder(path, e.name, exerciseIds);
    if (perStudentFiles && sourceName(e.name)) return { student: stem(e.name), path, sources: new Map([[exerciseIds[0], readSourceFile(path)]]) };
    if (e.isFile() && e.name.toLowerCase().endsWith('.json')) return readBundle(path, exerciseIds);
    return { student: e.name, path, sources: new Map(), error: `${path}: not a submission: expected a folder of .s files or a switchyard-submission/1 .json bundle` };
  });
}

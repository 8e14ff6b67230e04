/** A pack as a map of relative paths to file texts: the same code validates a pack read from disk, an imported pack file, or a test's fixture. */
import { parse as parseYamlLoose, stringify } from 'yaml';
import type { Exercise } from './exercise.ts';
import { parseExerciseSpec, parseHintsMarkdown, parsePackSpec, SpecError } from './load.ts';
import type { PackSpec } from './schema.ts';

export type PackFiles = Map<string, string>;

export interface Pack {
  spec: PackSpec;
  exercises: Exercise[];
}

export class PackError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
  }
}

/** The harness used when an exercise has no harness.s: call the (first) entry point with the case's registers, then halt. */
export function defaultHarness(entry: string): string {
  return `.globl _start\n_start:\n    call ${entry}\n    hlt\n`;
}

/**
 * Reads every exercise a pack's tracks list. `origin` prefixes every message (e.g. the pack's
 * directory). All problems are collected, so an author sees them together.
 */
export function loadPack(files: PackFiles, origin: string): Pack {
  const problems: string[] = [];
  const at = (rel: string) => `${origin}/${rel}`;
  const packText = files.get('pack.yaml');
  if (packText === undefined) throw new PackError([`${at('pack.yaml')}: missing: a pack needs pack.yaml (id, title, tracks)`]);
  let spec: PackSpec;
  try { spec = parsePackSpec(at('pack.yaml'), packText); } catch (e) {
    if (e instanceof SpecError) throw new PackError(e.message.split('\n'));
    throw e;
  }
  const exercises: Exercise[] = [];
  const seen = new Map<string, string>();
  for (const track of spec.tracks) {
    for (const id of track.exercises) {
      if (seen.has(id)) { problems.push(`${at('pack.yaml')}: exercise \`${id}\` is listed in track \`${track.id}\` and again in \`${seen.get(id)}\``); continue; }
      seen.set(id, track.id);
      try {
        exercises.push({ ...loadExercise(files, id, origin), track: track.id });
      } catch (e) {
        if (e instanceof SpecError || e instanceof PackError) problems.push(...e.message.split('\n'));
        else throw e;
      }
    }
  }
  const listed = new Set(seen.keys());
  for (const path of files.keys()) {
    const dir = path.split('/')[0];
    if (path.endsWith('/exercise.yaml') && !listed.has(dir)) problems.push(`${at(path)}: exercise \`${dir}\` is not listed in any track of pack.yaml`);
  }
  if (problems.length) throw new PackError(problems);
  return { spec, exercises };
}

export function loadExercise(files: PackFiles, id: string, origin: string): Exercise {
  const file = (name: string) => files.get(`${id}/${name}`);
  const at = (name: string) => `${origin}/${id}/${name}`;
  const specText = file('exercise.yaml');
  if (specText === undefined) throw new PackError([`${at('exercise.yaml')}: missing: pack.yaml lists \`${id}\` but there is no ${id}/exercise.yaml`]);
  const spec = parseExerciseSpec(at('exercise.yaml'), specText);
  const problems: string[] = [];
  if (spec.id !== id) problems.push(`${at('exercise.yaml')}: id: is \`${spec.id}\` but the folder is \`${id}\`; they must match`);
  const required = ['README.md', 'starter.s'];
  for (const name of required) if (file(name) === undefined) problems.push(`${at(name)}: missing: every exercise needs ${required.join(', ')}`);
  const mistakes = new Map<string, string>();
  for (const m of spec.mistakes) {
    const text = file(`mistakes/${m.file}`);
    if (text === undefined) problems.push(`${at(`mistakes/${m.file}`)}: missing: exercise.yaml lists it under mistakes:`);
    else mistakes.set(m.file, text);
  }
  // A learner's copy keeps no mistakes/ files; an instructor's copy must list every one it has.
  const listed = new Set(spec.mistakes.map((m) => m.file));
  for (const path of files.keys()) {
    const name = path.startsWith(`${id}/mistakes/`) ? path.slice(`${id}/mistakes/`.length) : undefined;
    if (name?.endsWith('.s') && !listed.has(name)) problems.push(`${at(`mistakes/${name}`)}: not listed under mistakes: in exercise.yaml (which check must it fail?)`);
  }
  if (problems.length) throw new PackError(problems);
  const hintsMd = file('hints.md');
  return {
    id,
    origin: `${origin}/${id}`,
    spec,
    readme: file('README.md')!,
    starter: file('starter.s')!,
    solution: file('solution.s'),
    harness: file('harness.s') ?? defaultHarness(spec.entry[0]),
    hints: spec.hints.length ? spec.hints : hintsMd ? parseHintsMarkdown(hintsMd) : [],
    ...(mistakes.size ? { mistakes } : {}),
  };
}

/** Files only instructors may see: reference solutions, and `mistakes/` (wrong answers that are nearly solutions). */
const isInstructorOnly = (path: string): boolean => /(^|\/)solution\.s$/.test(path) || /(^|\/)mistakes\//.test(path);

/** The learner's copy of a pack: no reference solutions, no mistakes, no hidden checks or hidden cases. */
export function learnerCopy(files: PackFiles): PackFiles {
  const out: PackFiles = new Map();
  for (const [path, text] of files) {
    if (isInstructorOnly(path)) continue;
    if (path.endsWith('/exercise.yaml')) {
      out.set(path, stripHidden(text));
      continue;
    }
    out.set(path, text);
  }
  return out;
}

function stripHidden(text: string): string {
  const parsed = parseYamlLoose(text);
  if (!parsed || typeof parsed !== 'object') return text;
  const doc = parsed as Record<string, unknown>;
  delete doc.hidden_cases;
  delete doc.equivalent_mutants; // they quote the reference solution
  delete doc.mistakes; // their files stay with the instructor
  if (Array.isArray(doc.checks)) doc.checks = doc.checks.filter((c) => !(c && typeof c === 'object' && (c as { hidden?: unknown }).hidden === true));
  return stringify(doc);
}

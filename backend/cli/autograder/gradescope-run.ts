/**
 * What the generated run_autograder does on Gradescope: find the student's files wherever the
 * upload put them (files at the top, one folder, or a submission bundle), grade every exercise
 * of the pack, and always write a results.json, even for an empty upload.
 */
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Pack } from '../../../exercises/engine/index.ts';
import { errorResult, gradeBatch, type BatchReport } from '../../grading/batch.ts';
import { grade } from '../../grading/exercises.ts';
import { readPack } from '../../grading/pack-dir.ts';
import { render } from '../../grading/reporters.ts';
import { readBundle, type Submission } from '../../grading/submissions.ts';
import { readSourceFile } from '../../grading/source-file.ts';

export const GRADESCOPE_VISIBILITIES = ['hidden', 'after_due_date', 'after_published', 'visible'] as const;
export type GradescopeVisibility = (typeof GRADESCOPE_VISIBILITIES)[number];

const SOURCE_EXTENSIONS = ['.s', '.S', '.asm'];
const MAX_DEPTH = 4;

interface Found { sources: Map<string, string>; bundles: string[] }

function walk(dir: string, exerciseIds: ReadonlySet<string>, found: Found, depth = 0): void {
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name.startsWith('.') || entry.name === '__MACOSX') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory() && depth < MAX_DEPTH) walk(path, exerciseIds, found, depth + 1);
    if (!entry.isFile()) continue;
    if (entry.name.toLowerCase().endsWith('.json')) found.bundles.push(path);
    const extension = SOURCE_EXTENSIONS.find((x) => entry.name.endsWith(x));
    const id = extension && entry.name.slice(0, -extension.length);
    // The shallowest file for an exercise wins: a stray copy deep in a folder does not replace it.
    if (id && exerciseIds.has(id) && !found.sources.has(id)) found.sources.set(id, path);
  }
}

function findSubmission(dir: string, exerciseIds: readonly string[]): { submission: Submission; note: string } {
  const ids = new Set(exerciseIds);
  const found: Found = { sources: new Map(), bundles: [] };
  let exists = false;
  try {
    exists = statSync(dir).isDirectory();
  } catch {
    // handled below: nothing was submitted
  }
  if (exists) walk(dir, ids, found);
  if (found.sources.size === 0 && found.bundles.length === 1) return { submission: readBundle(found.bundles[0], [...ids]), note: '' };
  const sources = new Map(exerciseIds.map((id) => {
    const path = found.sources.get(id);
    return [id, path ? readSourceFile(path) : { ok: false as const, error: `${id}.s: not submitted` }];
  }));
  const names = exerciseIds.map((id) => `${id}.s`).join(', ');
  const note = found.sources.size === 0
    ? found.bundles.length > 1
      ? `The upload holds ${found.bundles.length} .json files; upload exactly one submission bundle, or the .s files (${names}).`
      : `Nothing to grade was found in the upload. Upload ${names}, or the submission bundle the lab exports.`
    : '';
  return { submission: { student: 'submission', path: dir, sources }, note };
}

export interface GradescopeRun {
  packDir: string;
  submissionDir: string;
  resultsPath: string;
  hiddenVisibility: GradescopeVisibility;
  /** Worker threads to grade on; by default one submission is graded in this process, which starts faster. */
  jobs?: number;
}

/** One submission, every exercise, in this process: the exercise's instruction budget ends an endless loop. */
function gradeHere(pack: Pack, submission: Submission): BatchReport {
  const started = performance.now();
  const exercises = pack.exercises.map((exercise) => {
    const read = submission.error ? { ok: false as const, error: submission.error } : submission.sources.get(exercise.id) ?? { ok: false as const, error: 'not submitted' };
    let result;
    try {
      result = read.ok ? grade(exercise, read.text, { includeHidden: true }) : errorResult(exercise, read.error, true, exercise.spec.seed ?? 0x5eedn);
    } catch (error) {
      result = errorResult(exercise, `the engine could not grade this submission: ${(error as Error).message}`, true, exercise.spec.seed ?? 0x5eedn);
    }
    return { exercise: exercise.id, result };
  });
  const score = exercises.reduce((n, e) => n + e.result.score, 0);
  const maxScore = exercises.reduce((n, e) => n + e.result.maxScore, 0);
  return {
    pack: pack.spec.id, seed: 'per exercise', includeHidden: true, respawns: 0, seconds: (performance.now() - started) / 1000,
    students: [{ student: submission.student, path: submission.path, score, maxScore, exercises, error: submission.error }],
  };
}

export async function runGradescope(options: GradescopeRun): Promise<{ score: number; maxScore: number }> {
  const pack = readPack(options.packDir);
  const { submission, note } = findSubmission(options.submissionDir, pack.exercises.map((e) => e.id));
  const report = options.jobs === undefined
    ? gradeHere(pack, submission)
    : await gradeBatch({ packDir: options.packDir, pack, exercises: pack.exercises, submissions: [submission], includeHidden: true, jobs: options.jobs });
  const results = JSON.parse(render('gradescope', report, { hiddenVisibility: 'hidden' })) as {
    score: number; output: string; tests: { visibility: string }[];
  };
  // The reporter marks every hidden check's test "hidden"; the instructor's choice replaces that.
  for (const test of results.tests) if (test.visibility === 'hidden') test.visibility = options.hiddenVisibility;
  if (note) results.output = `${note}\n${results.output}`;
  mkdirSync(dirname(options.resultsPath), { recursive: true });
  writeFileSync(options.resultsPath, `${JSON.stringify(results, null, 2)}\n`);
  return { score: results.score, maxScore: report.students[0].maxScore };
}

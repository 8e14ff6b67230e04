/** Grading a class: every submission × every chosen exercise, in parallel, one bad submission never stopping the rest. */
import { availableParallelism } from 'node:os';
import { hex, type Exercise, type GradeResult, type Pack } from '../../exercises/engine/index.ts';
import { WorkerPool } from './pool.ts';
import type { Submission } from './submissions.ts';
import type { GradeTask, WorkerInit } from './worker.ts';

export interface ExerciseGrade { exercise: string; result: GradeResult }
export interface StudentGrade { student: string; path: string; score: number; maxScore: number; exercises: ExerciseGrade[]; error?: string }
export interface BatchReport { pack: string; seed: string; includeHidden: boolean; students: StudentGrade[]; respawns: number; seconds: number }

export interface BatchOptions {
  packDir: string;
  pack: Pack;
  exercises: Exercise[];
  submissions: Submission[];
  seed?: bigint;
  includeHidden?: boolean;
  jobs?: number;
  taskTimeoutMs?: number;
  onProgress?: (done: number, total: number) => void;
}

export const maxScoreOf = (exercise: Exercise, includeHidden: boolean) => exercise.spec.checks.filter((c) => includeHidden || !c.hidden).reduce((s, c) => s + c.weight, 0);

/** The result recorded for a submission that could not be graded at all (unreadable, crashed the grader, …). */
export function errorResult(exercise: Exercise, error: string, includeHidden: boolean, seed: bigint): GradeResult {
  const checks = exercise.spec.checks.filter((c) => includeHidden || !c.hidden);
  return {
    exercise: exercise.id, status: 'error', passed: false, score: 0, maxScore: maxScoreOf(exercise, includeHidden),
    cases: { total: 0, failed: 0, seed: hex(seed) }, diagnostics: [], error,
    checks: checks.map((c) => ({ name: c.name, kind: 'not graded', passed: false, weight: c.weight, hidden: c.hidden, failedCases: 0, message: `not graded: ${error}` })),
  };
}

/** In the sources the worker is worker.ts; in the bundled CLI (dist/cli/main.mjs) it is the bundle beside it. */
const gradingWorker = import.meta.url.endsWith('.ts') ? new URL('./worker.ts', import.meta.url) : new URL('./grade-worker.mjs', import.meta.url);

export async function gradeBatch(options: BatchOptions): Promise<BatchReport> {
  const started = performance.now();
  const includeHidden = options.includeHidden ?? true;
  const tasks: { student: number; exercise: Exercise; source?: string; error?: string }[] = [];
  options.submissions.forEach((s, student) => {
    for (const exercise of options.exercises) {
      const read = s.error ? { ok: false as const, error: s.error } : s.sources.get(exercise.id) ?? { ok: false as const, error: 'not submitted' };
      tasks.push(read.ok ? { student, exercise, source: read.text } : { student, exercise, error: read.error });
    }
  });
  const toGrade = tasks.filter((t) => t.source !== undefined).length;
  const size = Math.max(1, Math.min(options.jobs ?? availableParallelism(), toGrade));
  const init: WorkerInit = { packDir: options.packDir, includeHidden, seed: options.seed?.toString() };
  const pool = toGrade ? new WorkerPool<WorkerInit, GradeTask, GradeResult>({ script: gradingWorker, size, init, taskTimeoutMs: options.taskTimeoutMs ?? 120_000 }) : undefined;
  let done = 0;
  const seedFor = (e: Exercise) => options.seed ?? e.spec.seed ?? 0x5eedn;
  const results = await Promise.all(tasks.map(async (t) => {
    let result: GradeResult;
    if (t.source === undefined) result = errorResult(t.exercise, t.error!, includeHidden, seedFor(t.exercise));
    else {
      const outcome = await pool!.run({ exercise: t.exercise.id, source: t.source });
      result = outcome.ok ? outcome.value : errorResult(t.exercise, outcome.error, includeHidden, seedFor(t.exercise));
    }
    options.onProgress?.(++done, tasks.length);
    return { ...t, result };
  }));
  const respawns = pool?.respawns ?? 0;
  await pool?.close();
  const students: StudentGrade[] = options.submissions.map((s) => ({ student: s.student, path: s.path, score: 0, maxScore: 0, exercises: [], error: s.error }));
  for (const r of results) {
    const grade = students[r.student];
    grade.exercises.push({ exercise: r.exercise.id, result: r.result });
    grade.score += r.result.score;
    grade.maxScore += r.result.maxScore;
  }
  return { pack: options.pack.spec.id, seed: options.seed === undefined ? 'per exercise' : hex(options.seed), includeHidden, students, respawns, seconds: (performance.now() - started) / 1000 };
}

import { z } from 'zod';
import type { Attempt, ProgressStore } from './progress-store.ts';
import { MAX_SOURCE_BYTES } from './progress-store.ts';
import { InputError, byteLength, checkSize, firstIssue, parseJsonText } from './validation.ts';

export const SUBMISSION_FORMAT = 'switchyard-submission/1';
export const MAX_SUBMISSION_BYTES = 16 * 1024 * 1024;

export type SourceChoice = 'best' | 'latest' | 'draft';
export type SourceOrigin = 'best-attempt' | 'latest-attempt' | 'draft';

const timestamp = z.iso.datetime({ offset: false });

const submissionBundleSchema = z.strictObject({
  format: z.literal(SUBMISSION_FORMAT),
  student: z.strictObject({
    name: z.string().trim().min(1),
    id: z.string().nullable(),
  }),
  createdAt: timestamp,
  engineVersion: z.string().min(1).nullable(),
  exercises: z.array(z.strictObject({
    id: z.string().min(1),
    source: z.string().refine((s) => Buffer.byteLength(s, 'utf8') <= MAX_SOURCE_BYTES, `larger than the limit of ${MAX_SOURCE_BYTES / 1024} KiB`),
    origin: z.enum(['best-attempt', 'latest-attempt', 'draft']),
    versionHash: z.string().min(1).nullable(),
    savedAt: timestamp,
    selfCheck: z.strictObject({
      passed: z.boolean(),
      score: z.number().finite().nonnegative(),
      maxScore: z.number().finite().nonnegative(),
      engineVersion: z.string().min(1),
    }).nullable(),
  })),
}).superRefine((bundle, ctx) => {
  const seen = new Map<string, number>();
  bundle.exercises.forEach((e, i) => {
    const earlier = seen.get(e.id);
    if (earlier !== undefined) ctx.addIssue({ code: 'custom', path: ['exercises', i, 'id'], message: `"${e.id}" is also exercises[${earlier}]` });
    seen.set(e.id, i);
  });
});

export type SubmissionBundle = z.infer<typeof submissionBundleSchema>;
export type SubmittedExercise = SubmissionBundle['exercises'][number];

export interface SubmissionOptions {
  /** Which source to hand in per exercise; falls back to the other kind when there is none. Default 'best'. */
  readonly choose?: SourceChoice;
  /** The engine version of this build; defaults to the newest engine version among the chosen attempts. */
  readonly engineVersion?: string;
}

/**
 * A learner's hand-in for a class: one source per exercise (all exercises with an attempt or a
 * draft, or those listed; a listed exercise with neither is left out). The instructor re-grades
 * from source; `selfCheck` is only what the learner's own copy reported.
 */
export function createSubmissionBundle(store: ProgressStore, profileId: string, exerciseIds?: readonly string[],
  options: SubmissionOptions = {}): SubmissionBundle {
  const profile = store.requireProfile(profileId);
  const choose = options.choose ?? 'best';
  const attempts = store.listAttempts(profileId);
  const drafts = new Map(store.listDrafts(profileId).map((d) => [d.exerciseId, d]));
  const ids = exerciseIds ?? [...new Set([...attempts.map((a) => a.exerciseId), ...drafts.keys()])].sort();
  const exercises: SubmittedExercise[] = [];
  for (const id of new Set(ids)) {
    const mine = attempts.filter((a) => a.exerciseId === id);
    const draft = drafts.get(id);
    const attempt = choose === 'best' ? best(mine) : mine[mine.length - 1];
    if (attempt !== undefined && (choose !== 'draft' || draft === undefined)) {
      const chosen = attempt;
      exercises.push({
        id, source: chosen.source, origin: choose === 'best' ? 'best-attempt' : 'latest-attempt', versionHash: chosen.versionHash,
        savedAt: chosen.createdAt,
        selfCheck: { passed: chosen.passed, score: chosen.score, maxScore: chosen.maxScore, engineVersion: chosen.engineVersion },
      });
    } else if (draft !== undefined) {
      exercises.push({ id, source: draft.source, origin: 'draft', versionHash: draft.versionHash, savedAt: draft.updatedAt, selfCheck: null });
    }
  }
  const engineVersions = exercises.map((e) => e.selfCheck?.engineVersion).filter((v): v is string => v !== undefined);
  return {
    format: SUBMISSION_FORMAT,
    student: { name: profile.name, id: profile.studentId },
    createdAt: store.nowIso(),
    engineVersion: options.engineVersion ?? newestVersion(engineVersions),
    exercises,
  };
}

/** The passing attempt with the best score, else the best score; the later one wins a tie. */
function best(attempts: readonly Attempt[]): Attempt | undefined {
  let chosen: Attempt | undefined;
  for (const a of attempts) {
    if (chosen === undefined || rank(a) >= rank(chosen)) chosen = a;
  }
  return chosen;
}

function rank(a: Attempt): number {
  const fraction = a.maxScore === 0 ? (a.passed ? 1 : 0) : a.score / a.maxScore;
  return (a.passed ? 2 : 0) + fraction;
}

function newestVersion(versions: readonly string[]): string | null {
  const parts = (v: string) => v.split(/[.+-]/).map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  let newest: string | null = null;
  for (const v of versions) {
    if (newest === null || compareParts(parts(v), parts(newest)) > 0) newest = v;
  }
  return newest;
}

function compareParts(a: (number | string)[], b: (number | string)[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    return String(x) < String(y) ? -1 : 1;
  }
  return 0;
}

/** Reads and validates a submission bundle; throws an InputError naming the first problem. */
export function parseSubmissionBundle(input: string | Uint8Array, what = 'submission bundle'): SubmissionBundle {
  checkSize(what, byteLength(input), MAX_SUBMISSION_BYTES);
  const json = parseJsonText(what, input);
  const format = (json as { format?: unknown } | null)?.format;
  if (typeof json === 'object' && json !== null && typeof format === 'string' && format !== SUBMISSION_FORMAT) {
    throw new InputError(`${what}: format is "${format}", expected "${SUBMISSION_FORMAT}"`);
  }
  const parsed = submissionBundleSchema.safeParse(json);
  if (!parsed.success) throw new InputError(`${what}: ${firstIssue(parsed.error)}`);
  return parsed.data;
}

export function serializeSubmissionBundle(bundle: SubmissionBundle): string {
  return `${JSON.stringify(bundle, null, 2)}\n`;
}

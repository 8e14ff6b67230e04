import { z } from 'zod';
import { gradeResultSchema } from './grade-result.ts';
import { MAX_SOURCE_BYTES, type Attempt, type ProgressStore } from './progress-store.ts';
import { InputError, byteLength, checkSize, firstIssue, parseJsonText } from './validation.ts';

export const PROGRESS_FORMAT = 'switchyard-progress/1';
export const MAX_PROGRESS_FILE_BYTES = 64 * 1024 * 1024;

const timestamp = z.iso.datetime({ offset: false });
const source = z.string().refine((s) => Buffer.byteLength(s, 'utf8') <= MAX_SOURCE_BYTES, `larger than the limit of ${MAX_SOURCE_BYTES / 1024} KiB`);
const nonEmpty = z.string().min(1);

const draftSchema = z.strictObject({
  exerciseId: nonEmpty,
  source,
  versionHash: nonEmpty.nullable(),
  updatedAt: timestamp,
});

const attemptSchema = z.strictObject({
  id: nonEmpty,
  exerciseId: nonEmpty,
  versionHash: nonEmpty,
  source,
  result: gradeResultSchema,
  engineVersion: nonEmpty,
  createdAt: timestamp,
  durationMs: z.number().int().nonnegative().nullable(),
}).refine((a) => a.result.exercise === undefined || a.result.exercise === a.exerciseId,
  { message: 'the result is for another exercise than exerciseId', path: ['result', 'exercise'] });

const profileSchema = z.strictObject({
  id: nonEmpty,
  name: z.string().trim().min(1),
  studentId: z.string().nullable(),
  settings: z.record(z.string(), z.unknown()),
  createdAt: timestamp,
  drafts: z.array(draftSchema),
  attempts: z.array(attemptSchema),
});

const progressExportSchema = z.strictObject({
  format: z.literal(PROGRESS_FORMAT),
  exportedAt: timestamp,
  profiles: z.array(profileSchema),
}).superRefine((file, ctx) => {
  const seenProfiles = new Map<string, number>();
  const seenAttempts = new Map<string, string>();
  file.profiles.forEach((p, i) => {
    const earlier = seenProfiles.get(p.id);
    if (earlier !== undefined) ctx.addIssue({ code: 'custom', path: ['profiles', i, 'id'], message: `"${p.id}" is also the id of profiles[${earlier}]` });
    seenProfiles.set(p.id, i);
    const drafts = new Map<string, number>();
    p.drafts.forEach((d, j) => {
      const other = drafts.get(d.exerciseId);
      if (other !== undefined) ctx.addIssue({ code: 'custom', path: ['profiles', i, 'drafts', j, 'exerciseId'], message: `a second draft for "${d.exerciseId}" (also drafts[${other}])` });
      drafts.set(d.exerciseId, j);
    });
    p.attempts.forEach((a, j) => {
      const where = `profiles[${i}].attempts[${j}]`;
      const other = seenAttempts.get(a.id);
      if (other !== undefined) ctx.addIssue({ code: 'custom', path: ['profiles', i, 'attempts', j, 'id'], message: `"${a.id}" is also the id of ${other}` });
      seenAttempts.set(a.id, where);
    });
  });
});

export type ProgressExport = z.infer<typeof progressExportSchema>;

export interface ProgressImportSummary {
  readonly profilesAdded: number;
  readonly profilesAlreadyPresent: number;
  readonly draftsWritten: number;
  readonly draftsKeptNewer: number;
  readonly attemptsAdded: number;
  readonly attemptsAlreadyPresent: number;
}

/** Everything the store holds for the given profiles (all of them by default). */
export function exportProgress(store: ProgressStore, profileIds?: readonly string[]): ProgressExport {
  const profiles = profileIds === undefined ? store.listProfiles() : profileIds.map((id) => store.requireProfile(id));
  return {
    format: PROGRESS_FORMAT,
    exportedAt: store.nowIso(),
    profiles: profiles.map((p) => ({
      id: p.id, name: p.name, studentId: p.studentId, settings: p.settings, createdAt: p.createdAt,
      drafts: store.listDrafts(p.id).map((d) => ({ exerciseId: d.exerciseId, source: d.source, versionHash: d.versionHash, updatedAt: d.updatedAt })),
      attempts: store.listAttempts(p.id).map((a) => ({
        id: a.id, exerciseId: a.exerciseId, versionHash: a.versionHash, source: a.source, result: a.result,
        engineVersion: a.engineVersion, createdAt: a.createdAt, durationMs: a.durationMs,
      })),
    })),
  };
}

/** Reads and fully validates a progress file; throws an InputError naming the first problem. */
export function parseProgressExport(input: string | Uint8Array, what = 'progress file'): ProgressExport {
  checkSize(what, byteLength(input), MAX_PROGRESS_FILE_BYTES);
  const json = parseJsonText(what, input);
  const format = (json as { format?: unknown } | null)?.format;
  if (typeof json === 'object' && json !== null && typeof format === 'string' && format !== PROGRESS_FORMAT) {
    throw new InputError(`${what}: format is "${format}", expected "${PROGRESS_FORMAT}"`);
  }
  const parsed = progressExportSchema.safeParse(json);
  if (!parsed.success) throw new InputError(`${what}: ${firstIssue(parsed.error)}`);
  return parsed.data;
}

/**
 * Imports a progress file in one transaction, after validating all of it. Importing the same
 * file again changes nothing: attempts are keyed by their id, drafts keep the newer text, and
 * an existing profile keeps its local name and settings.
 */
export function importProgress(store: ProgressStore, input: string | Uint8Array, what?: string): ProgressImportSummary {
  const file = parseProgressExport(input, what);
  const counts = { profilesAdded: 0, profilesAlreadyPresent: 0, draftsWritten: 0, draftsKeptNewer: 0, attemptsAdded: 0, attemptsAlreadyPresent: 0 };
  const db = store.db;
  const insertProfile = db.prepare('INSERT OR IGNORE INTO profiles (id, name, student_id, settings_json, created_at) VALUES (?, ?, ?, ?, ?)');
  const upsertDraft = db.prepare(`INSERT INTO drafts (profile_id, exercise_id, source, version_hash, updated_at) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (profile_id, exercise_id) DO UPDATE SET source = excluded.source, version_hash = excluded.version_hash, updated_at = excluded.updated_at
    WHERE excluded.updated_at > drafts.updated_at`);
  db.transaction(() => {
    for (const p of file.profiles) {
      if (insertProfile.run(p.id, p.name.trim(), p.studentId, JSON.stringify(p.settings), p.createdAt).changes === 1) counts.profilesAdded++;
      else counts.profilesAlreadyPresent++;
      for (const d of p.drafts) {
        if (upsertDraft.run(p.id, d.exerciseId, d.source, d.versionHash, d.updatedAt).changes === 1) counts.draftsWritten++;
        else counts.draftsKeptNewer++;
      }
      for (const a of p.attempts) {
        const attempt: Attempt = {
          ...a, profileId: p.id, score: a.result.score, maxScore: a.result.maxScore, passed: a.result.passed,
        };
        if (store.insertAttemptRow(attempt)) counts.attemptsAdded++;
        else counts.attemptsAlreadyPresent++;
      }
    }
  }).immediate();
  return counts;
}

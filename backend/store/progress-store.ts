import { randomUUID } from 'node:crypto';
import type { RecoveryNotice } from './damaged-database.ts';
import { gradeResultSchema, type ExerciseRef, type GradeResult } from './grade-result.ts';
import { openProgressDatabase, type OpenDatabaseOptions } from './open-database.ts';
import type { Sqlite } from './sqlite.ts';
import { InputError, firstIssue } from './validation.ts';

export const MAX_SOURCE_BYTES = 1024 * 1024;

export type ProfileSettings = Record<string, unknown>;

export interface Profile {
  readonly id: string;
  readonly name: string;
  /** Student id or e-mail, exactly as the learner gave it; null when not given. */
  readonly studentId: string | null;
  readonly settings: ProfileSettings;
  readonly createdAt: string;
}

export interface Draft {
  readonly profileId: string;
  readonly exerciseId: string;
  readonly source: string;
  /** The exercise version the learner was looking at when this was saved, if known. */
  readonly versionHash: string | null;
  readonly updatedAt: string;
}

export interface Attempt {
  readonly id: string;
  readonly profileId: string;
  readonly exerciseId: string;
  readonly versionHash: string;
  readonly source: string;
  readonly result: GradeResult;
  readonly score: number;
  readonly maxScore: number;
  readonly passed: boolean;
  readonly engineVersion: string;
  readonly createdAt: string;
  readonly durationMs: number | null;
}

export type ProgressStatus = 'not-started' | 'attempted' | 'passed';

export interface ExerciseProgress {
  readonly exerciseId: string;
  readonly status: ProgressStatus;
  readonly attempts: number;
  readonly bestScore: number | null;
  /** The maxScore of the best-scoring attempt. */
  readonly maxScore: number | null;
  readonly lastAttemptAt: string | null;
  readonly firstPassedAt: string | null;
  /** Version of the exercise the latest attempt was graded against: compare with the installed one. */
  readonly lastVersionHash: string | null;
}

export type StoreOptions = OpenDatabaseOptions;

interface ProfileRow { id: string; name: string; student_id: string | null; settings_json: string; created_at: string }
interface DraftRow { profile_id: string; exercise_id: string; source: string; version_hash: string | null; updated_at: string }
interface AttemptRow {
  id: string; profile_id: string; exercise_id: string; version_hash: string; source: string; result_json: string;
  score: number; max_score: number; passed: number; engine_version: string; created_at: string; duration_ms: number | null;
}
interface ProgressRow {
  exercise_id: string; attempts: number; passed: number; best_score: number; best_max_score: number;
  last_attempt_at: string; first_passed_at: string | null; last_version_hash: string;
}

/**
 * A learner's progress: profiles, drafts, graded attempts and the exercise packs they use. Every
 * write is one SQLite transaction and is durable when the method returns.
 */
export class ProgressStore {
  readonly #now: () => Date;
  readonly #statements: ReturnType<typeof prepareStatements>;
  #closed = false;

  private constructor(readonly db: Sqlite, readonly path: string, readonly recoveryNotice: RecoveryNotice | null, now: () => Date) {
    this.#now = now;
    this.#statements = prepareStatements(db);
  }

  static open(path: string, options: StoreOptions = {}): ProgressStore {
    const { db, notice } = openProgressDatabase(path, options);
    return new ProgressStore(db, path, notice, options.now ?? (() => new Date()));
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.db.close();
  }

  nowIso(): string {
    return this.#now().toISOString();
  }

  createProfile(input: { name: string; studentId?: string | null; settings?: ProfileSettings; id?: string }): Profile {
    const name = input.name.trim();
    if (name === '') throw new InputError('a profile needs a name');
    if (input.id !== undefined && input.id.trim() === '') throw new InputError('a profile id may not be empty');
    const profile: Profile = {
      id: input.id ?? randomUUID(),
      name,
      studentId: input.studentId?.trim() || null,
      settings: input.settings ?? {},
      createdAt: this.nowIso(),
    };
    this.#statements.insertProfile.run(profile.id, profile.name, profile.studentId, JSON.stringify(profile.settings), profile.createdAt);
    return profile;
  }

  updateProfile(id: string, patch: { name?: string; studentId?: string | null; settings?: ProfileSettings }): Profile {
    const current = this.requireProfile(id);
    const name = patch.name === undefined ? current.name : patch.name.trim();
    if (name === '') throw new InputError('a profile needs a name');
    const studentId = patch.studentId === undefined ? current.studentId : patch.studentId?.trim() || null;
    const settings = patch.settings ?? current.settings;
    this.db.prepare('UPDATE profiles SET name = ?, student_id = ?, settings_json = ? WHERE id = ?')
      .run(name, studentId, JSON.stringify(settings), id);
    return { ...current, name, studentId, settings };
  }

  getProfile(id: string): Profile | null {
    const row = this.#statements.getProfile.get(id) as ProfileRow | undefined;
    return row === undefined ? null : toProfile(row);
  }

  requireProfile(id: string): Profile {
    const profile = this.getProfile(id);
    if (profile === null) throw new InputError(`no learner profile with id "${id}"`);
    return profile;
  }

  listProfiles(): Profile[] {
    return (this.db.prepare('SELECT * FROM profiles ORDER BY created_at, rowid').all() as ProfileRow[]).map(toProfile);
  }

  deleteProfile(id: string): void {
    this.db.prepare('DELETE FROM profiles WHERE id = ?').run(id);
  }

  /** Upserts the learner's current text for an exercise; called as they type, so it is one statement. */
  saveDraft(profileId: string, exerciseId: string, source: string, versionHash: string | null = null): Draft {
    checkSource(source, `the draft for ${exerciseId}`);
    const updatedAt = this.nowIso();
    try {
      this.#statements.upsertDraft.run(profileId, exerciseId, source, versionHash, updatedAt);
    } catch (e) {
      throw this.#explainMissingProfile(e, profileId);
    }
    return { profileId, exerciseId, source, versionHash, updatedAt };
  }

  getDraft(profileId: string, exerciseId: string): Draft | null {
    const row = this.#statements.getDraft.get(profileId, exerciseId) as DraftRow | undefined;
    return row === undefined ? null : toDraft(row);
  }

  listDrafts(profileId: string): Draft[] {
    return (this.db.prepare('SELECT * FROM drafts WHERE profile_id = ? ORDER BY exercise_id').all(profileId) as DraftRow[]).map(toDraft);
  }

  /**
   * Records a graded attempt. The score, maximum and pass/fail come from the grader's result
   * object and nowhere else; the result is checked against its schema before it is stored.
   */
  recordAttempt(profileId: string, exercise: ExerciseRef, source: string, result: GradeResult, engineVersion: string,
    options: { durationMs?: number } = {}): Attempt {
    const parsed = gradeResultSchema.safeParse(result);
    if (!parsed.success) throw new InputError(`grading result for ${exercise.id}: ${firstIssue(parsed.error)}`);
    if (parsed.data.exercise !== undefined && parsed.data.exercise !== exercise.id) {
      throw new InputError(`grading result is for exercise "${parsed.data.exercise}", not "${exercise.id}"`);
    }
    if (exercise.id === '' || exercise.versionHash === '') throw new InputError('an attempt needs an exercise id and version hash');
    if (engineVersion === '') throw new InputError('an attempt needs the engine version that graded it');
    checkSource(source, `the attempt's source for ${exercise.id}`);
    const durationMs = options.durationMs ?? null;
    if (durationMs !== null && !(Number.isInteger(durationMs) && durationMs >= 0)) {
      throw new InputError(`attempt duration must be a non-negative whole number of milliseconds, got ${durationMs}`);
    }
    const attempt: Attempt = {
      id: randomUUID(),
      profileId,
      exerciseId: exercise.id,
      versionHash: exercise.versionHash,
      source,
      result: parsed.data,
      score: parsed.data.score,
      maxScore: parsed.data.maxScore,
      passed: parsed.data.passed,
      engineVersion,
      createdAt: this.nowIso(),
      durationMs,
    };
    try {
      this.db.transaction(() => this.insertAttemptRow(attempt))();
    } catch (e) {
      throw this.#explainMissingProfile(e, profileId);
    }
    return attempt;
  }

  /** Inserts an attempt that is already validated; used by recordAttempt and progress import. */
  insertAttemptRow(a: Attempt): boolean {
    this.#statements.ensureVersion.run(a.exerciseId, a.versionHash, a.createdAt);
    return this.#statements.insertAttempt.run(a.id, a.profileId, a.exerciseId, a.versionHash, a.source, JSON.stringify(a.result),
      a.score, a.maxScore, a.passed ? 1 : 0, a.engineVersion, a.createdAt, a.durationMs).changes === 1;
  }

  getAttempt(id: string): Attempt | null {
    const row = this.db.prepare('SELECT * FROM attempts WHERE id = ?').get(id) as AttemptRow | undefined;
    return row === undefined ? null : toAttempt(row);
  }

  /** Attempts oldest first. */
  listAttempts(profileId: string, exerciseId?: string): Attempt[] {
    const rows = exerciseId === undefined
      ? this.db.prepare('SELECT * FROM attempts WHERE profile_id = ? ORDER BY created_at, rowid').all(profileId)
      : this.db.prepare('SELECT * FROM attempts WHERE profile_id = ? AND exercise_id = ? ORDER BY created_at, rowid').all(profileId, exerciseId);
    return (rows as AttemptRow[]).map(toAttempt);
  }

  /**
   * Progress per exercise, derived from the attempts. With `exerciseIds`, one entry per id in
   * that order (not-started where there is no attempt); without, every exercise attempted.
   */
  progress(profileId: string, exerciseIds?: readonly string[]): ExerciseProgress[] {
    const rows = this.db.prepare('SELECT * FROM progress WHERE profile_id = ? ORDER BY exercise_id').all(profileId) as ProgressRow[];
    const byId = new Map(rows.map((r) => [r.exercise_id, toProgress(r)]));
    if (exerciseIds === undefined) return [...byId.values()];
    return exerciseIds.map((id) => byId.get(id) ?? notStarted(id));
  }

  /** The version hash of an exercise in the installed packs, or null if no installed pack has it. */
  installedExerciseVersion(exerciseId: string): string | null {
    const row = this.db.prepare(`
      SELECT pe.version_hash FROM installed_packs ip JOIN pack_exercises pe ON pe.pack_hash = ip.pack_hash
       WHERE pe.exercise_id = ? ORDER BY ip.installed_at DESC LIMIT 1`).pluck().get(exerciseId) as string | undefined;
    return row ?? null;
  }

  #explainMissingProfile(e: unknown, profileId: string): unknown {
    if ((e as { code?: string }).code === 'SQLITE_CONSTRAINT_FOREIGNKEY' && this.getProfile(profileId) === null) {
      return new InputError(`no learner profile with id "${profileId}"`);
    }
    return e;
  }
}

function prepareStatements(db: Sqlite) {
  return {
    insertProfile: db.prepare('INSERT INTO profiles (id, name, student_id, settings_json, created_at) VALUES (?, ?, ?, ?, ?)'),
    getProfile: db.prepare('SELECT * FROM profiles WHERE id = ?'),
    upsertDraft: db.prepare(`INSERT INTO drafts (profile_id, exercise_id, source, version_hash, updated_at) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (profile_id, exercise_id) DO UPDATE SET source = excluded.source, version_hash = excluded.version_hash, updated_at = excluded.updated_at`),
    getDraft: db.prepare('SELECT * FROM drafts WHERE profile_id = ? AND exercise_id = ?'),
    ensureVersion: db.prepare('INSERT OR IGNORE INTO exercise_versions (exercise_id, version_hash, title, first_seen) VALUES (?, ?, NULL, ?)'),
    insertAttempt: db.prepare(`INSERT OR IGNORE INTO attempts (id, profile_id, exercise_id, version_hash, source, result_json, score, max_score,
      passed, engine_version, created_at, duration_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
  };
}

function checkSource(source: string, what: string): void {
  if (Buffer.byteLength(source, 'utf8') > MAX_SOURCE_BYTES) {
    throw new InputError(`${what} is larger than the limit of ${MAX_SOURCE_BYTES / 1024} KiB`);
  }
}

function toProfile(r: ProfileRow): Profile {
  return { id: r.id, name: r.name, studentId: r.student_id, settings: JSON.parse(r.settings_json) as ProfileSettings, createdAt: r.created_at };
}

function toDraft(r: DraftRow): Draft {
  return { profileId: r.profile_id, exerciseId: r.exercise_id, source: r.source, versionHash: r.version_hash, updatedAt: r.updated_at };
}

function toAttempt(r: AttemptRow): Attempt {
  return {
    id: r.id, profileId: r.profile_id, exerciseId: r.exercise_id, versionHash: r.version_hash, source: r.source,
    result: JSON.parse(r.result_json) as GradeResult, score: r.score, maxScore: r.max_score, passed: r.passed === 1,
    engineVersion: r.engine_version, createdAt: r.created_at, durationMs: r.duration_ms,
  };
}

function toProgress(r: ProgressRow): ExerciseProgress {
  return {
    exerciseId: r.exercise_id,
    status: r.passed === 1 ? 'passed' : 'attempted',
    attempts: r.attempts,
    bestScore: r.best_score,
    maxScore: r.best_max_score,
    lastAttemptAt: r.last_attempt_at,
    firstPassedAt: r.first_passed_at,
    lastVersionHash: r.last_version_hash,
  };
}

function notStarted(exerciseId: string): ExerciseProgress {
  return { exerciseId, status: 'not-started', attempts: 0, bestScore: null, maxScore: null, lastAttemptAt: null, firstPassedAt: null, lastVersionHash: null };
}

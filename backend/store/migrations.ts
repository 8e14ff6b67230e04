import type { Database } from 'better-sqlite3';

/**
 * One schema step. A migration is never edited once released: a later change is a new entry,
 * so a database at any earlier version reaches the same final schema.
 */
export interface Migration {
  readonly version: number;
  readonly description: string;
  readonly up: (db: Database) => void;
}

const v1InitialSchema: Migration = {
  version: 1,
  description: 'profiles, packs by content hash, exercise versions, drafts, attempts, progress view',
  up(db) {
    db.exec(`
      CREATE TABLE profiles (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL CHECK (length(name) > 0),
        student_id TEXT,
        created_at TEXT NOT NULL
      );
      CREATE TABLE blobs (
        hash TEXT PRIMARY KEY,
        data BLOB NOT NULL
      );
      CREATE TABLE packs (
        hash TEXT PRIMARY KEY,
        pack_id TEXT NOT NULL,
        title TEXT NOT NULL,
        imported_at TEXT NOT NULL
      );
      CREATE TABLE pack_files (
        pack_hash TEXT NOT NULL REFERENCES packs(hash) ON DELETE CASCADE,
        path TEXT NOT NULL,
        blob_hash TEXT NOT NULL REFERENCES blobs(hash),
        PRIMARY KEY (pack_hash, path)
      );
      CREATE TABLE installed_packs (
        pack_id TEXT PRIMARY KEY,
        pack_hash TEXT NOT NULL REFERENCES packs(hash),
        installed_at TEXT NOT NULL
      );
      CREATE TABLE exercise_versions (
        exercise_id TEXT NOT NULL,
        version_hash TEXT NOT NULL,
        title TEXT,
        first_seen TEXT NOT NULL,
        PRIMARY KEY (exercise_id, version_hash)
      );
      CREATE TABLE pack_exercises (
        pack_hash TEXT NOT NULL REFERENCES packs(hash) ON DELETE CASCADE,
        exercise_id TEXT NOT NULL,
        version_hash TEXT NOT NULL,
        position INTEGER NOT NULL,
        PRIMARY KEY (pack_hash, exercise_id),
        FOREIGN KEY (exercise_id, version_hash) REFERENCES exercise_versions(exercise_id, version_hash)
      );
      CREATE TABLE drafts (
        profile_id TEXT NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
        exercise_id TEXT NOT NULL,
        source TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (profile_id, exercise_id)
      );
      CREATE TABLE attempts (
        id TEXT PRIMARY KEY,
        profile_id TEXT NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
        exercise_id TEXT NOT NULL,
        version_hash TEXT NOT NULL,
        source TEXT NOT NULL,
        result_json TEXT NOT NULL CHECK (json_valid(result_json)),
        score REAL NOT NULL CHECK (score >= 0),
        max_score REAL NOT NULL CHECK (max_score >= score),
        passed INTEGER NOT NULL CHECK (passed IN (0, 1)),
        engine_version TEXT NOT NULL,
        created_at TEXT NOT NULL,
        FOREIGN KEY (exercise_id, version_hash) REFERENCES exercise_versions(exercise_id, version_hash)
      );
      CREATE INDEX attempts_by_exercise ON attempts(profile_id, exercise_id, created_at);
      CREATE VIEW progress AS
        SELECT profile_id, exercise_id,
               count(*) AS attempts,
               max(passed) AS passed,
               max(score) AS best_score
          FROM attempts
         GROUP BY profile_id, exercise_id;
    `);
  },
};

const v2DurationsSettingsDraftVersions: Migration = {
  version: 2,
  description: 'attempt duration, profile display settings, the exercise version a draft was written for, richer progress view',
  up(db) {
    db.exec(`
      ALTER TABLE attempts ADD COLUMN duration_ms INTEGER CHECK (duration_ms IS NULL OR duration_ms >= 0);
      ALTER TABLE profiles ADD COLUMN settings_json TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(settings_json));
      ALTER TABLE drafts ADD COLUMN version_hash TEXT;
      DROP VIEW progress;
      CREATE VIEW progress AS
        SELECT profile_id, exercise_id,
               count(*) AS attempts,
               max(passed) AS passed,
               max(score) AS best_score,
               (SELECT b.max_score FROM attempts b
                 WHERE b.profile_id = a.profile_id AND b.exercise_id = a.exercise_id
                 ORDER BY b.score DESC, b.created_at DESC LIMIT 1) AS best_max_score,
               max(created_at) AS last_attempt_at,
               min(CASE WHEN passed = 1 THEN created_at END) AS first_passed_at,
               (SELECT l.version_hash FROM attempts l
                 WHERE l.profile_id = a.profile_id AND l.exercise_id = a.exercise_id
                 ORDER BY l.created_at DESC, l.rowid DESC LIMIT 1) AS last_version_hash
          FROM attempts a
         GROUP BY profile_id, exercise_id;
    `);
  },
};

export const MIGRATIONS: readonly Migration[] = [v1InitialSchema, v2DurationsSettingsDraftVersions];
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

export class SchemaTooNewError extends Error {
  override readonly name = 'SchemaTooNewError';
  constructor(readonly path: string, readonly found: number, readonly known: number) {
    super(`the progress database ${path} has schema version ${found}, but this build of Switchyard knows versions up to ${known}; ` +
      'it was left untouched: open it with a newer Switchyard');
  }
}

export function schemaVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Applies every pending migration in one transaction: either the database reaches the latest
 * version or it stays exactly as it was. user_version lives in the database header, which is
 * written as part of the same transaction.
 */
export function migrate(db: Database, migrations: readonly Migration[] = MIGRATIONS, pathForMessages = db.name): { from: number; to: number } {
  checkOrdered(migrations);
  const from = schemaVersion(db);
  const latest = migrations.length === 0 ? 0 : migrations[migrations.length - 1].version;
  if (from > latest) throw new SchemaTooNewError(pathForMessages, from, latest);
  const pending = migrations.filter((m) => m.version > from);
  if (pending.length === 0) return { from, to: from };
  db.transaction(() => {
    for (const m of pending) {
      try {
        m.up(db);
      } catch (e) {
        throw new Error(`migration to schema version ${m.version} (${m.description}) failed: ${(e as Error).message}`, { cause: e });
      }
      db.pragma(`user_version = ${m.version}`);
    }
  }).immediate();
  return { from, to: latest };
}

function checkOrdered(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration list is out of order: entry ${i} has version ${m.version}`);
  });
}

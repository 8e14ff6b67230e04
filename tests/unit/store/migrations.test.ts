import { readFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS, SCHEMA_VERSION, migrate, type Migration } from '../../../backend/store/migrations.ts';
import { ProgressStore } from '../../../backend/store/progress-store.ts';
import { gradeResult, tempDir } from './helpers.ts';

type Db = Database.Database;

/** A database as an older release left it: only the migrations up to `version`, then that release's data. */
function databaseAt(version: number): string {
  const file = path.join(tempDir(), `v${version}.sqlite3`);
  const db = new Database(file);
  migrate(db, MIGRATIONS.slice(0, version));
  SEED_DATA[version]?.(db);
  db.close();
  return file;
}

const result = JSON.stringify(gradeResult('save-context', 3, 5));

/** The rows each schema version could hold, written with that version's columns only. */
const SEED_DATA: Record<number, (db: Db) => void> = {
  1: (db) => db.exec(`
    INSERT INTO profiles (id, name, student_id, created_at) VALUES ('p1', 'Ada', 's-17', '2025-01-01T00:00:00.000Z');
    INSERT INTO exercise_versions VALUES ('save-context', 'h1', NULL, '2025-01-01T00:00:00.000Z');
    INSERT INTO drafts (profile_id, exercise_id, source, updated_at) VALUES ('p1', 'save-context', 'mov %rax, (%rdi)', '2025-01-02T00:00:00.000Z');
    INSERT INTO attempts (id, profile_id, exercise_id, version_hash, source, result_json, score, max_score, passed, engine_version, created_at)
      VALUES ('a1', 'p1', 'save-context', 'h1', 'src', '${result}', 3, 5, 0, '0.0.9', '2025-01-03T00:00:00.000Z');`),
  2: (db) => db.exec(`
    INSERT INTO profiles (id, name, student_id, created_at, settings_json) VALUES ('p1', 'Ada', 's-17', '2025-01-01T00:00:00.000Z', '{"fontSize":15}');
    INSERT INTO exercise_versions VALUES ('save-context', 'h1', NULL, '2025-01-01T00:00:00.000Z');
    INSERT INTO drafts (profile_id, exercise_id, source, updated_at, version_hash) VALUES ('p1', 'save-context', 'mov %rax, (%rdi)', '2025-01-02T00:00:00.000Z', 'h1');
    INSERT INTO attempts (id, profile_id, exercise_id, version_hash, source, result_json, score, max_score, passed, engine_version, created_at, duration_ms)
      VALUES ('a1', 'p1', 'save-context', 'h1', 'src', '${result}', 3, 5, 0, '0.0.9', '2025-01-03T00:00:00.000Z', 25);`),
};

function schemaOf(file: string): unknown[] {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare("SELECT type, name, tbl_name, sql FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name").all();
  } finally {
    db.close();
  }
}

describe('schema migrations', () => {
  it('every released version has seed data, so every upgrade path is tested with rows in it', () => {
    expect(Object.keys(SEED_DATA).map(Number)).toEqual(MIGRATIONS.map((m) => m.version));
  });

  const fresh = () => {
    const file = path.join(tempDir(), 'fresh.sqlite3');
    ProgressStore.open(file).close();
    return file;
  };

  it.each(Array.from({ length: SCHEMA_VERSION + 1 }, (_, v) => v))('opens a database at version %i, keeps its data and ends at the latest schema', (version) => {
    const file = databaseAt(version);
    const store = ProgressStore.open(file);
    expect(store.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    if (version >= 1) {
      expect(store.getProfile('p1')).toMatchObject({ name: 'Ada', studentId: 's-17', settings: version >= 2 ? { fontSize: 15 } : {} });
      expect(store.getDraft('p1', 'save-context')).toMatchObject({ source: 'mov %rax, (%rdi)', versionHash: version >= 2 ? 'h1' : null });
      expect(store.getAttempt('a1')).toMatchObject({ score: 3, maxScore: 5, passed: false, durationMs: version >= 2 ? 25 : null, result: JSON.parse(result) });
      expect(store.progress('p1', ['save-context'])[0]).toMatchObject({ status: 'attempted', bestScore: 3, maxScore: 5, lastVersionHash: 'h1' });
    }
    expect(store.db.pragma('foreign_key_check')).toEqual([]);
    store.close();
    expect(schemaOf(file)).toEqual(schemaOf(fresh()));
  });

  it('rolls every pending migration back when one fails', () => {
    const file = databaseAt(1);
    const before = schemaOf(file);
    const db = new Database(file);
    const failing: Migration = {
      version: SCHEMA_VERSION + 1,
      description: 'a step that breaks',
      up(d) {
        d.exec('CREATE TABLE half_done (x)');
        d.exec('INSERT INTO no_such_table VALUES (1)');
      },
    };
    expect(() => migrate(db, [...MIGRATIONS, failing])).toThrow(`migration to schema version ${SCHEMA_VERSION + 1} (a step that breaks) failed: no such table: no_such_table`);
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    db.close();
    expect(schemaOf(file)).toEqual(before);
  });

  it('refuses a database from a newer release and leaves its bytes alone', () => {
    const file = databaseAt(SCHEMA_VERSION);
    const db = new Database(file);
    db.pragma(`user_version = ${SCHEMA_VERSION + 5}`);
    db.close();
    const bytes = readFileSync(file);
    expect(() => ProgressStore.open(file)).toThrow(`the progress database ${file} has schema version ${SCHEMA_VERSION + 5}, ` +
      `but this build of Switchyard knows versions up to ${SCHEMA_VERSION}; it was left untouched: open it with a newer Switchyard`);
    expect(readFileSync(file).equals(bytes)).toBe(true);
  });

  it('refuses a migration list with a gap', () => {
    const db = new Database(':memory:');
    expect(() => migrate(db, [MIGRATIONS[1]])).toThrow('migration list is out of order: entry 0 has version 2');
    db.close();
  });
});

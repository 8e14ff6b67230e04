import { existsSync, openSync, readFileSync, readdirSync, statSync, truncateSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS, SCHEMA_VERSION, migrate } from '../../../backend/store/migrations.ts';
import { ProgressStore, type Attempt } from '../../../backend/store/progress-store.ts';
import { gradeResult, tempDir } from './helpers.ts';

const NOW = () => new Date(Date.UTC(2026, 10, 21, 8, 30, 15, 250));
const KEPT_NAME = 'progress.damaged-20261121T083015250Z.sqlite3';

/** A healthy database with one profile, 3 drafts and `count` attempts big enough to span many pages. */
function populated(count: number): { file: string; attempts: Attempt[]; profileId: string } {
  const file = path.join(tempDir(), 'progress.sqlite3');
  const store = ProgressStore.open(file);
  const profile = store.createProfile({ name: 'Ada', studentId: 'ada@example.edu' });
  for (const ex of ['a', 'b', 'c']) store.saveDraft(profile.id, ex, `; draft for ${ex}`);
  const attempts: Attempt[] = [];
  for (let i = 0; i < count; i++) {
    attempts.push(store.recordAttempt(profile.id, { id: `ex-${i % 3}`, versionHash: 'h1' }, `; attempt ${i}\n${'nop\n'.repeat(60)}`,
      gradeResult(`ex-${i % 3}`, i % 6, 5 + (i % 6)), '0.1.0'));
  }
  store.close();
  return { file, attempts, profileId: profile.id };
}

function overwritePage(file: string, pageNumber: number, pageSize: number): void {
  const fd = openSync(file, 'r+');
  writeSync(fd, Buffer.alloc(pageSize, 0xa5), 0, pageSize, (pageNumber - 1) * pageSize);
  closeSync(fd);
}

describe('a damaged progress database', () => {
  it('a file of garbage is kept aside byte for byte and a fresh database takes its place', () => {
    const dir = tempDir();
    const file = path.join(dir, 'progress.sqlite3');
    const garbage = Buffer.from(Array.from({ length: 8192 }, (_, i) => (i * 7919) & 0xff));
    writeFileSync(file, garbage);
    writeFileSync(`${file}-wal`, 'stale wal');
    writeFileSync(`${file}-shm`, 'stale shm');
    const store = ProgressStore.open(file, { now: NOW });
    const kept = path.join(dir, KEPT_NAME);
    expect(store.recoveryNotice).toMatchObject({
      reason: 'file is not a database', keptAt: kept, recovered: { profiles: 0, drafts: 0, attempts: 0, packs: 0 }, incomplete: true,
      message: `Your progress database was damaged; it was kept at ${kept} and 0 drafts / 0 attempts were recovered (some records could not be read).`,
    });
    expect(readFileSync(kept).equals(garbage)).toBe(true);
    expect(readFileSync(`${kept}-wal`, 'utf8')).toBe('stale wal');
    expect(readFileSync(`${kept}-shm`, 'utf8')).toBe('stale shm');
    expect(store.createProfile({ name: 'Ada' }).name).toBe('Ada');
    store.close();
    const reopened = ProgressStore.open(file, { now: NOW });
    expect(reopened.recoveryNotice).toBeNull();
    reopened.close();
  });

  it('a second damage at the same instant does not overwrite the first one kept', () => {
    const dir = tempDir();
    const file = path.join(dir, 'progress.sqlite3');
    writeFileSync(file, Buffer.alloc(4096, 1));
    ProgressStore.open(file, { now: NOW }).close();
    writeFileSync(file, Buffer.alloc(4096, 2));
    const store = ProgressStore.open(file, { now: NOW });
    expect(store.recoveryNotice?.keptAt).toBe(path.join(dir, 'progress.damaged-20261121T083015250Z-2.sqlite3'));
    store.close();
    expect(readdirSync(dir).filter((n) => n.includes('damaged')).sort()).toEqual([KEPT_NAME, 'progress.damaged-20261121T083015250Z-2.sqlite3'].sort());
  });

  it('a truncated database: the rows before the cut are recovered, exactly as they were', () => {
    const { file, attempts, profileId } = populated(400);
    const size = statSync(file).size;
    truncateSync(file, Math.floor(size / 2 / 4096) * 4096);
    const store = ProgressStore.open(file, { now: NOW });
    const notice = store.recoveryNotice;
    expect(notice).not.toBeNull();
    expect(notice?.keptAt).toBe(path.join(path.dirname(file), KEPT_NAME));
    expect(statSync(notice!.keptAt).size).toBeLessThan(size);
    const recovered = store.listAttempts(profileId);
    expect(recovered.length).toBe(notice?.recovered.attempts);
    expect(recovered.length).toBeGreaterThan(0);
    expect(recovered.length).toBeLessThan(attempts.length);
    const original = new Map(attempts.map((a) => [a.id, a]));
    for (const a of recovered) expect(a).toEqual(original.get(a.id));
    expect(store.db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(notice?.message).toBe(`Your progress database was damaged; it was kept at ${notice?.keptAt} and ` +
      `${notice?.recovered.drafts} drafts / ${recovered.length} attempts were recovered (some records could not be read).`);
    store.close();
  });

  it('a damaged page in the middle of the attempts: everything else is recovered', () => {
    const { file, attempts, profileId } = populated(600);
    const db = new Database(file, { readonly: true });
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    const leaves = db.prepare("SELECT pageno FROM dbstat WHERE name = 'attempts' AND pagetype = 'leaf' ORDER BY pageno").pluck().all() as number[];
    db.close();
    expect(leaves.length).toBeGreaterThan(20);
    overwritePage(file, leaves[Math.floor(leaves.length / 2)], pageSize);

    const store = ProgressStore.open(file, { now: NOW });
    const notice = store.recoveryNotice!;
    expect(notice.reason).toMatch(/^(integrity check failed: |database disk image is malformed)/);
    expect(notice.incomplete).toBe(true);
    expect(notice.recovered).toMatchObject({ profiles: 1, drafts: 3 });
    const recovered = store.listAttempts(profileId);
    // One leaf holds a handful of these attempts; all the others must come back.
    expect(recovered.length).toBeGreaterThan(attempts.length - 10);
    expect(recovered.length).toBeLessThan(attempts.length);
    const original = new Map(attempts.map((a) => [a.id, a]));
    for (const a of recovered) expect(a).toEqual(original.get(a.id));
    expect(store.listDrafts(profileId).map((d) => d.source)).toEqual(['; draft for a', '; draft for b', '; draft for c']);
    expect(store.progress(profileId).map((p) => p.exerciseId)).toEqual(['ex-0', 'ex-1', 'ex-2']);
    expect(store.db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(existsSync(notice.keptAt)).toBe(true);
    store.close();
  });

  it('damaged pages at the far end of the attempts do not hide the rows before them', () => {
    const { file, attempts, profileId } = populated(300);
    const db = new Database(file, { readonly: true });
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    const leaves = db.prepare("SELECT pageno FROM dbstat WHERE name = 'attempts' AND pagetype = 'leaf' ORDER BY path").pluck().all() as number[];
    db.close();
    overwritePage(file, leaves[leaves.length - 1], pageSize);
    const store = ProgressStore.open(file, { now: NOW });
    const recovered = store.listAttempts(profileId).length;
    expect(recovered).toBeGreaterThan(attempts.length - 10);
    expect(recovered).toBeLessThan(attempts.length);
    store.close();
  });

  it('a damaged database from an older schema is recovered at its own version, then migrated', () => {
    const file = path.join(tempDir(), 'progress.sqlite3');
    const db = new Database(file);
    migrate(db, MIGRATIONS.slice(0, 1));
    db.exec("INSERT INTO profiles (id, name, student_id, created_at) VALUES ('p1', 'Ada', NULL, '2025-01-01T00:00:00.000Z')");
    db.exec("INSERT INTO exercise_versions VALUES ('ex', 'h1', NULL, '2025-01-01T00:00:00.000Z')");
    const insert = db.prepare(`INSERT INTO attempts (id, profile_id, exercise_id, version_hash, source, result_json, score, max_score, passed, engine_version, created_at)
      VALUES (?, 'p1', 'ex', 'h1', ?, '{"passed":true,"score":1,"maxScore":1,"checks":[]}', 1, 1, 1, '0.0.9', '2025-01-02T00:00:00.000Z')`);
    for (let i = 0; i < 300; i++) insert.run(`a${i}`, `; ${i}\n${'nop\n'.repeat(60)}`);
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    const leaves = db.prepare("SELECT pageno FROM dbstat WHERE name = 'attempts' AND pagetype = 'leaf' ORDER BY pageno").pluck().all() as number[];
    db.close();
    overwritePage(file, leaves[3], pageSize);
    const store = ProgressStore.open(file, { now: NOW });
    expect(store.recoveryNotice?.recovered.profiles).toBe(1);
    expect(store.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    const recovered = store.listAttempts('p1');
    expect(recovered.length).toBeGreaterThan(300 - 16);
    expect(recovered.length).toBeLessThan(300);
    expect(recovered[0]).toMatchObject({ durationMs: null, passed: true });
    expect(store.getProfile('p1')?.settings).toEqual({});
    store.close();
  });

  it('a database whose schema page is destroyed: nothing can be read, the file is kept, a fresh one works', () => {
    const { file } = populated(20);
    const fd = openSync(file, 'r+');
    writeSync(fd, Buffer.alloc(4096 - 100, 0x5a), 0, 4096 - 100, 100);
    closeSync(fd);
    const store = ProgressStore.open(file, { now: NOW });
    expect(store.recoveryNotice).toMatchObject({ recovered: { profiles: 0, drafts: 0, attempts: 0, packs: 0 }, incomplete: true });
    expect(statSync(store.recoveryNotice!.keptAt).size).toBeGreaterThan(4096);
    expect(store.createProfile({ name: 'Ada' }).name).toBe('Ada');
    store.close();
  });
});

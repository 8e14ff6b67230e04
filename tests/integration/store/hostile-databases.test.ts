import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, closeSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { ForeignDatabaseError } from '../../../backend/store/open-database.ts';
import { ProgressStore } from '../../../backend/store/progress-store.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const dirs: string[] = [];
const scratch = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'switchyard-hostile-db-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const result = (n: number) => ({ exercise: 'big', passed: false, score: 1, maxScore: 5, checks: [{ name: 'r', passed: false, message: `case ${n}` }], diagnostics: [] });

/** A database of about `megabytes` MB of attempts, checkpointed into the main file. */
function large(file: string, megabytes: number): number {
  const store = ProgressStore.open(file);
  const profile = store.createProfile({ name: 'Big' });
  const count = megabytes * 25;
  store.db.transaction(() => {
    for (let n = 0; n < count; n++) store.recordAttempt(profile.id, { id: 'big', versionHash: 'v' }, `; attempt ${n}\n${`${n} `.repeat(8000)}`, result(n), '0.1.0');
  })();
  store.db.pragma('wal_checkpoint(TRUNCATE)');
  store.close();
  return count;
}

function poke(file: string, at: number, bytes: Buffer): void {
  const fd = openSync(file, 'r+');
  writeSync(fd, bytes, 0, bytes.length, at);
  closeSync(fd);
}

describe('a progress database that is not ours, not writable or in use', () => {
  it('another program\'s SQLite database at our path is refused and left byte for byte as it was', () => {
    const file = path.join(scratch(), 'progress.sqlite3');
    const other = new Database(file);
    other.exec("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL); INSERT INTO invoices (total) VALUES (12.5);");
    other.close();
    const before = readFileSync(file);
    expect(() => ProgressStore.open(file)).toThrow(ForeignDatabaseError);
    expect(() => ProgressStore.open(file)).toThrow(/did not make \(it holds the tables invoices\); it was left untouched/);
    expect(readFileSync(file).equals(before)).toBe(true);
    expect(readdirSync(path.dirname(file))).toEqual(['progress.sqlite3']);
  });

  it.skipIf(process.getuid?.() === 0)('a read-only database file is refused with a message naming the permission, and not changed', () => {
    const file = path.join(scratch(), 'progress.sqlite3');
    ProgressStore.open(file).close();
    chmodSync(file, 0o444);
    const before = readFileSync(file);
    expect(() => ProgressStore.open(file)).toThrow(/cannot be written .* give your user write permission/);
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it('a write waits for another process\'s transaction instead of failing or corrupting', async () => {
    const file = path.join(scratch(), 'progress.sqlite3');
    const store = ProgressStore.open(file);
    const profile = store.createProfile({ name: 'Ada' });
    // Another process takes the write lock and holds it for 800 ms.
    const holder = spawn(process.execPath, ['-e', `
      const db = new (require('better-sqlite3'))(${JSON.stringify(file)});
      db.exec('BEGIN IMMEDIATE'); db.exec("UPDATE profiles SET name = 'Held'");
      process.stdout.write('locked\\n');
      setTimeout(() => { db.exec('COMMIT'); db.close(); }, 800);`], { stdio: ['ignore', 'pipe', 'inherit'], cwd: process.cwd() });
    await new Promise((resolve) => holder.stdout.once('data', resolve));
    const started = Date.now();
    store.saveDraft(profile.id, 'ex', '; saved after the lock');
    expect(Date.now() - started).toBeGreaterThan(300);
    expect(store.getDraft(profile.id, 'ex')?.source).toBe('; saved after the lock');
    expect(store.getProfile(profile.id)?.name).toBe('Held');
    store.close();
    await new Promise((resolve) => holder.once('exit', resolve));
  });

  it('two lab processes writing one data directory at once lose nothing and leave it intact', async () => {
    const file = path.join(scratch(), 'progress.sqlite3');
    ProgressStore.open(file).close();
    const writer = path.join(here, 'crash-writer.ts');
    const run = (profile: string) => new Promise<string[]>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', writer, file, profile, '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.setEncoding('utf8').on('data', (c: string) => {
        out += c;
        if (out.split('\n').length > 400) child.kill('SIGKILL');
      });
      child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
      child.on('exit', (_code, signal) => (signal === 'SIGKILL' ? resolve(out.split('\n')) : reject(new Error(`writer failed: ${err}`))));
    });
    const [a, b] = await Promise.all([run('first'), run('second')]);
    const db = new Database(file, { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const find = db.prepare('SELECT profile_id FROM attempts WHERE id = ?').pluck();
      for (const [profile, lines] of [['first', a], ['second', b]] as const) {
        const acked = lines.filter((l) => l.startsWith('A ')).map((l) => l.slice(2));
        expect(acked.length).toBeGreaterThan(50);
        expect(acked.filter((id) => find.get(id) !== profile)).toEqual([]);
      }
    } finally {
      db.close();
    }
  });
});

describe('a large damaged database is recovered in bounded time', () => {
  it.each([
    ['its header says it has 2^31 pages', (file: string) => poke(file, 28, Buffer.from([0x7f, 0xff, 0xff, 0xff]))],
    ['its freelist points back at itself', (file: string) => { poke(file, 32, Buffer.from([0, 0, 0, 5, 0, 0, 1, 0])); poke(file, 4 * 4096, Buffer.from([0, 0, 0, 5, 0, 0, 0, 0])); }],
    ['a page in the middle is overwritten', (file: string) => poke(file, 4096 * 1500, Buffer.alloc(4096, 0xff))],
    ['every 50th page is scribbled on', (file: string) => { for (let page = 10; page < 5000; page += 50) poke(file, 4096 * page, Buffer.alloc(100, 0x0d)); }],
  ])('%s (20 MB): recovered within 5 s, the damaged copy kept', (_name, damage) => {
    const file = path.join(scratch(), 'progress.sqlite3');
    const count = large(file, 20);
    damage(file);
    const started = performance.now();
    const store = ProgressStore.open(file);
    const ms = performance.now() - started;
    try {
      expect(store.recoveryNotice?.message).toMatch(/damaged; it was kept at .*progress\.damaged-.*\.sqlite3/);
      expect(store.recoveryNotice?.recovered.attempts).toBeGreaterThan(count * 0.5);
      expect(ms).toBeLessThan(5000);
    } finally {
      store.close();
    }
  }, 60_000);
});

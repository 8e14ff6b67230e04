import { existsSync, renameSync } from 'node:fs';
import path from 'node:path';
import { MIGRATIONS, SCHEMA_VERSION, migrate, schemaVersion } from './migrations.ts';
import { hasSqliteHeader, openSqlite, type Sqlite } from './sqlite.ts';

const SIDECAR_SUFFIXES = ['-wal', '-shm', '-journal'] as const;

/** Tables in foreign-key order, so parents are copied before their children. */
const TABLES_IN_ORDER = ['profiles', 'blobs', 'packs', 'pack_files', 'installed_packs', 'exercise_versions', 'pack_exercises', 'drafts', 'attempts'] as const;

export interface RecoveredCounts {
  readonly profiles: number;
  readonly drafts: number;
  readonly attempts: number;
  readonly packs: number;
}

export interface RecoveryNotice {
  /** Why the database was judged damaged (SQLite's own words). */
  readonly reason: string;
  /** Where the damaged file was kept; its -wal/-shm/-journal files sit beside it with the same name. */
  readonly keptAt: string;
  readonly recovered: RecoveredCounts;
  /** True when some rows could not be read at all and are missing from the recovery. */
  readonly incomplete: boolean;
  /** A sentence the UI can show as it is. */
  readonly message: string;
}

/**
 * Renames the damaged database and its sidecar files to `<name>.damaged-<UTC time><ext>` (and
 * `…-wal`, `…-shm`), so SQLite still pairs them. Nothing is deleted.
 */
export function moveAside(dbPath: string, now: Date): string {
  const dir = path.dirname(dbPath);
  const ext = path.extname(dbPath);
  const stem = path.basename(dbPath, ext);
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('.', '');
  let kept = path.join(dir, `${stem}.damaged-${stamp}${ext}`);
  for (let n = 2; [kept, ...SIDECAR_SUFFIXES.map((s) => kept + s)].some((p) => existsSync(p)); n++) {
    kept = path.join(dir, `${stem}.damaged-${stamp}-${n}${ext}`);
  }
  renameSync(dbPath, kept);
  for (const suffix of SIDECAR_SUFFIXES) {
    if (existsSync(dbPath + suffix)) renameSync(dbPath + suffix, kept + suffix);
  }
  return kept;
}

/**
 * Copies what SQLite can still read from the damaged file into `target` (an empty, configured
 * connection) and brings `target` to the latest schema. The SQLite shell's `.recover` reads raw
 * pages; better-sqlite3 exposes no such thing, so this reads each table in rowid order through
 * SQL and, where a page cannot be read, seeks past it (probing further rowids) and carries on.
 * Rows that break a constraint or lose their parent row are dropped.
 */
export function recoverInto(damagedPath: string, target: Sqlite, nativeBinding?: string): { counts: RecoveredCounts; incomplete: boolean } {
  let incomplete = false;
  let source: Sqlite | undefined;
  let version = 0;
  try {
    // Not a database at all: nothing to read, and opening it would rewrite a stale -shm beside it.
    if (!hasSqliteHeader(damagedPath)) throw new Error('not a database');
    source = openSqlite(damagedPath, { readonly: true, fileMustExist: true, nativeBinding });
    // With defensive mode off, writable_schema lets SQLite read a file shorter than its header
    // claims (a truncated copy) instead of refusing it whole. The connection is read-only.
    source.unsafeMode(true);
    source.pragma('writable_schema = ON');
    version = schemaVersion(source);
  } catch {
    incomplete = true;
  }
  try {
    if (source !== undefined && version >= 1 && version <= SCHEMA_VERSION) {
      migrate(target, MIGRATIONS.slice(0, version));
      target.pragma('foreign_keys = OFF');
      target.transaction(() => {
        for (const table of TABLES_IN_ORDER) {
          if (!copyTable(source as Sqlite, target, table)) incomplete = true;
        }
        dropOrphans(target);
      })();
      target.pragma('foreign_keys = ON');
    } else if (source !== undefined && version !== 0) {
      incomplete = true;
    }
  } finally {
    source?.close();
  }
  migrate(target);
  return { counts: countRows(target), incomplete };
}

function copyTable(source: Sqlite, target: Sqlite, table: string): boolean {
  const targetColumns = columnsOf(target, table);
  let sourceColumns: string[];
  try {
    sourceColumns = columnsOf(source, table);
  } catch {
    return false;
  }
  // The source is at the same schema version as the target, so a table it lacks was lost.
  const columns = targetColumns.filter((c) => sourceColumns.includes(c));
  if (columns.length === 0) return false;
  const list = columns.map((c) => `"${c}"`).join(', ');
  const insert = target.prepare(`INSERT OR IGNORE INTO ${table} (${list}) VALUES (${columns.map(() => '?').join(', ')})`);
  let highest = Number.MAX_SAFE_INTEGER;
  try {
    highest = (source.prepare(`SELECT max(rowid) FROM ${table}`).pluck().get() as number | null) ?? 0;
  } catch {
    // The right edge of the b-tree is unreadable; probe up to the largest rowid.
  }
  let cursor = Number.MIN_SAFE_INTEGER;
  let complete = true;
  for (;;) {
    try {
      const select = source.prepare(`SELECT rowid, ${list} FROM ${table} WHERE rowid > ? ORDER BY rowid`).raw();
      for (const row of select.iterate(cursor) as Iterable<unknown[]>) {
        cursor = row[0] as number;
        insert.run(row.slice(1));
      }
      return complete;
    } catch {
      complete = false;
      const next = nextReadableRowid(source, table, cursor, highest);
      if (next === undefined) return false;
      cursor = next - 1;
    }
  }
}

/** The smallest rowid after `after` whose page can be reached, skipping an unreadable stretch. */
function nextReadableRowid(source: Sqlite, table: string, after: number, highest: number): number | undefined {
  const seek = source.prepare(`SELECT rowid FROM ${table} WHERE rowid >= ? ORDER BY rowid LIMIT 1`).pluck();
  const probe = (from: number): number | null | 'unreadable' => {
    try {
      return (seek.get(from) as number | undefined) ?? null;
    } catch {
      return 'unreadable';
    }
  };
  const failed = after + 1;
  let found: number | undefined;
  let foundAt = 0;
  for (let step = 1; failed + step <= highest + 1; step *= 2) {
    const result = probe(failed + step);
    if (result === null) return undefined;
    if (result !== 'unreadable') {
      found = result;
      foundAt = failed + step;
      break;
    }
  }
  if (found === undefined) return undefined;
  // Narrow down between the last unreadable probe and the first readable one, so rows just past
  // the damaged page are not skipped.
  let lo = failed;
  let hi = foundAt;
  while (hi - lo > 1) {
    const mid = lo + Math.floor((hi - lo) / 2);
    const result = probe(mid);
    if (result === 'unreadable') lo = mid;
    else {
      hi = mid;
      if (result !== null) found = result;
    }
  }
  return found;
}

function columnsOf(db: Sqlite, table: string): string[] {
  return (db.pragma(`table_info(${table})`) as { name: string }[]).map((c) => c.name);
}

function dropOrphans(db: Sqlite): void {
  for (let round = 0; round < TABLES_IN_ORDER.length; round++) {
    const orphans = db.pragma('foreign_key_check') as { table: string; rowid: number }[];
    if (orphans.length === 0) return;
    for (const o of orphans) db.prepare(`DELETE FROM "${o.table}" WHERE rowid = ?`).run(o.rowid);
  }
}

function countRows(db: Sqlite): RecoveredCounts {
  const count = (table: string) => db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
  return { profiles: count('profiles'), drafts: count('drafts'), attempts: count('attempts'), packs: count('packs') };
}

export function recoveryMessage(keptAt: string, counts: RecoveredCounts, incomplete: boolean): string {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  return `Your progress database was damaged; it was kept at ${keptAt} and ${plural(counts.drafts, 'draft')} / ` +
    `${plural(counts.attempts, 'attempt')} were recovered` + (incomplete ? ' (some records could not be read).' : '.');
}

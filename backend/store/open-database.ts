import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { moveAside, recoverInto, recoveryMessage, type RecoveryNotice } from './damaged-database.ts';
import { SCHEMA_VERSION, SchemaTooNewError, migrate, schemaVersion } from './migrations.ts';
import { BUSY_TIMEOUT_MS, configureConnection, hasSqliteHeader, openSqlite, sqliteErrorCode, type Sqlite } from './sqlite.ts';

export interface OpenDatabaseOptions {
  readonly nativeBinding?: string;
  readonly now?: () => Date;
}

export interface OpenedDatabase {
  readonly db: Sqlite;
  /** Set when the database was damaged, moved aside and recovered. */
  readonly notice: RecoveryNotice | null;
}

/**
 * Opens (or creates) the progress database at `dbPath`, at the latest schema. A file SQLite
 * cannot read, or one that fails `PRAGMA quick_check`, is moved aside and recovered; a database
 * from a newer Switchyard, or another program's database, is refused and left as it is.
 * Several processes may open one file: SQLite's own locks order their writes, and each waits up
 * to the busy timeout for the other's transaction.
 */
export function openProgressDatabase(dbPath: string, options: OpenDatabaseOptions = {}): OpenedDatabase {
  const now = options.now ?? (() => new Date());
  try {
    mkdirSync(path.dirname(dbPath), { recursive: true });
  } catch (e) {
    throw new Error(`cannot create the folder for the progress database ${dbPath}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e });
  }
  if (existsSync(dbPath)) {
    const checked = inspect(dbPath, options.nativeBinding);
    if (checked.kind === 'healthy') {
      return { db: prepare(openSqlite(dbPath, { fileMustExist: true, nativeBinding: options.nativeBinding }), dbPath), notice: null };
    }
    const keptAt = moveAside(dbPath, now());
    const db = openSqlite(dbPath, { nativeBinding: options.nativeBinding });
    try {
      configureConnection(db);
      const { counts, incomplete } = recoverInto(keptAt, db, options.nativeBinding);
      const message = recoveryMessage(keptAt, counts, incomplete);
      return { db, notice: { reason: checked.reason, keptAt, recovered: counts, incomplete, message } };
    } catch (e) {
      db.close();
      throw e;
    }
  }
  return { db: prepare(openSqlite(dbPath, { nativeBinding: options.nativeBinding }), dbPath), notice: null };
}

function prepare(db: Sqlite, dbPath: string): Sqlite {
  try {
    if (db.readonly) throw new Error('the file is read-only');
    configureConnection(db);
    migrate(db);
    return db;
  } catch (e) {
    db.close();
    throw explainUnwritable(e, dbPath);
  }
}

/** Locks and permissions are the user's to fix: the message says which, and that nothing was changed. */
function explainUnwritable(e: unknown, dbPath: string): unknown {
  const code = sqliteErrorCode(e) ?? '';
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new Error(`the progress database ${dbPath} stayed locked by another program for ${BUSY_TIMEOUT_MS / 1000} s; ` +
      'close the other Switchyard (or whatever holds it) and try again; nothing was changed', { cause: e });
  }
  if (code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_CANTOPEN') || (e as Error).message === 'the file is read-only') {
    return new Error(`the progress database ${dbPath} cannot be written (${(e as Error).message}); ` +
      'give your user write permission on the file and its folder; nothing was changed', { cause: e });
  }
  return e;
}

/** Tables of a database that Switchyard did not make (another program's file at our path). */
function foreignTables(db: Sqlite): string[] {
  const names = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all() as string[];
  return names.filter((n) => !OUR_TABLES.has(n));
}

const OUR_TABLES = new Set(['profiles', 'blobs', 'packs', 'pack_files', 'installed_packs', 'exercise_versions', 'pack_exercises', 'drafts', 'attempts']);

export class ForeignDatabaseError extends Error {
  override readonly name = 'ForeignDatabaseError';
  constructor(readonly path: string, readonly tables: string[]) {
    super(`${path} is an SQLite database that Switchyard did not make (it holds the tables ${tables.slice(0, 5).join(', ')}${tables.length > 5 ? ', ...' : ''}); ` +
      'it was left untouched: move it away or set SWITCHYARD_DATA_DIR to another folder');
  }
}

type Inspection = { kind: 'healthy' } | { kind: 'damaged'; reason: string };

function isDamage(e: unknown): boolean {
  const code = sqliteErrorCode(e);
  return code !== undefined && (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT'));
}

/**
 * Checks the database through a read-only connection, so that a damaged file, its WAL and its
 * shared-memory file are left exactly as they were found (a writer would checkpoint on close).
 */
function inspect(dbPath: string, nativeBinding: string | undefined): Inspection {
  if (!hasSqliteHeader(dbPath)) return { kind: 'damaged', reason: 'file is not a database' };
  let db: Sqlite;
  try {
    db = openSqlite(dbPath, { readonly: true, fileMustExist: true, nativeBinding });
  } catch (e) {
    if (isDamage(e)) return { kind: 'damaged', reason: (e as Error).message };
    throw new Error(`cannot open the progress database ${dbPath}: ${(e as Error).message}`, { cause: e });
  }
  try {
    const version = schemaVersion(db);
    if (version > SCHEMA_VERSION) throw new SchemaTooNewError(dbPath, version, SCHEMA_VERSION);
    const foreign = version === 0 ? foreignTables(db) : [];
    if (foreign.length > 0) throw new ForeignDatabaseError(dbPath, foreign);
    // quick_check reads every page once (O(size)); integrity_check also cross-checks every index
    // against its table, which on a large file takes far longer for no damage it alone could mend.
    const problems = (db.pragma('quick_check') as { quick_check: string }[]).map((r) => r.quick_check);
    if (problems.length === 1 && problems[0] === 'ok') return { kind: 'healthy' };
    return { kind: 'damaged', reason: `integrity check failed: ${problems.slice(0, 3).join('; ')}` };
  } catch (e) {
    if (isDamage(e)) return { kind: 'damaged', reason: (e as Error).message };
    if (e instanceof SchemaTooNewError || e instanceof ForeignDatabaseError) throw e;
    const explained = explainUnwritable(e, dbPath);
    if (explained !== e) throw explained;
    throw new Error(`cannot read the progress database ${dbPath}: ${(e as Error).message}`, { cause: e });
  } finally {
    db.close();
  }
}

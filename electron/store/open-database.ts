import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { moveAside, recoverInto, recoveryMessage, type RecoveryNotice } from './damaged-database.ts';
import { SCHEMA_VERSION, SchemaTooNewError, migrate, schemaVersion } from './migrations.ts';
import { configureConnection, hasSqliteHeader, openSqlite, sqliteErrorCode, type Sqlite } from './sqlite.ts';

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
 * cannot read, or one that fails `PRAGMA integrity_check`, is moved aside and recovered; a
 * database from a newer Switchyard is refused and left as it is.
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
      return { db: prepare(openSqlite(dbPath, { fileMustExist: true, nativeBinding: options.nativeBinding })), notice: null };
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
  return { db: prepare(openSqlite(dbPath, { nativeBinding: options.nativeBinding })), notice: null };
}

function prepare(db: Sqlite): Sqlite {
  try {
    configureConnection(db);
    migrate(db);
    return db;
  } catch (e) {
    db.close();
    throw e;
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
    const problems = (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check);
    if (problems.length === 1 && problems[0] === 'ok') return { kind: 'healthy' };
    return { kind: 'damaged', reason: `integrity check failed: ${problems.slice(0, 3).join('; ')}` };
  } catch (e) {
    if (isDamage(e)) return { kind: 'damaged', reason: (e as Error).message };
    if (e instanceof SchemaTooNewError) throw e;
    throw new Error(`cannot read the progress database ${dbPath}: ${(e as Error).message}`, { cause: e });
  } finally {
    db.close();
  }
}

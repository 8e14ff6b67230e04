import { closeSync, openSync, readSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { Database as Sqlite } from 'better-sqlite3';
import { sqliteNativeBinding } from '../native/sqlite-binding.ts';

export type { Sqlite };

export interface SqliteOptions {
  /** Path of a better-sqlite3 addon built for Electron's ABI; by default the one the Electron build ships (none in Node). */
  readonly nativeBinding?: string;
  readonly readonly?: boolean;
  readonly fileMustExist?: boolean;
}

/** How long a connection waits for another process's transaction before giving up with SQLITE_BUSY. */
export const BUSY_TIMEOUT_MS = 5000;

export function openSqlite(path: string, options: SqliteOptions = {}): Sqlite {
  const nativeBinding = options.nativeBinding ?? sqliteNativeBinding();
  return new Database(path, {
    readonly: options.readonly ?? false,
    fileMustExist: options.fileMustExist ?? false,
    timeout: BUSY_TIMEOUT_MS,
    ...(nativeBinding === undefined ? {} : { nativeBinding }),
  });
}

/**
 * WAL with synchronous=FULL: every commit appends to the WAL and fsyncs it before the call
 * returns. A SIGKILL alone could not lose a commit even with NORMAL (the bytes are already in
 * the OS), but FULL also keeps an acknowledged attempt through a power cut or an OS crash, and
 * one fsync per save is cheap next to a learner's typing.
 */
export function configureConnection(db: Sqlite): void {
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
}

export function sqliteErrorCode(e: unknown): string | undefined {
  return e instanceof Database.SqliteError ? e.code : undefined;
}

const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/** Whether the file starts like an SQLite database (an empty file is one SQLite has not written yet). */
export function hasSqliteHeader(dbPath: string): boolean {
  const fd = openSync(dbPath, 'r');
  try {
    const head = Buffer.alloc(SQLITE_HEADER.length);
    const n = readSync(fd, head, 0, head.length, 0);
    return n === 0 || head.equals(SQLITE_HEADER);
  } finally {
    closeSync(fd);
  }
}

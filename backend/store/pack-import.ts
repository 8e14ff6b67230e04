import { openSync, closeSync, fstatSync, readSync } from 'node:fs';
import { PackImportError, MAX_PACK_FILE_BYTES, contentHash, exerciseVersionHash, parsePackFile, type PackValidator, type PackFiles } from './pack-file.ts';
import type { ProgressStore } from './progress-store.ts';
import { formatBytes } from './validation.ts';

export interface ImportedExercise {
  readonly id: string;
  readonly versionHash: string;
  /** The installed version before this import, or null if the exercise is new. */
  readonly previousVersionHash: string | null;
}

export interface PackImportResult {
  readonly packId: string;
  readonly title: string;
  readonly hash: string;
  /** True when this exact pack (same content hash) was already stored. */
  readonly alreadyStored: boolean;
  readonly exercises: readonly ImportedExercise[];
}

export interface InstalledPack {
  readonly packId: string;
  readonly title: string;
  readonly hash: string;
  readonly installedAt: string;
}

/**
 * Checks a pack file completely (container, paths, limits, then the engine's validator) and
 * stores it in one transaction, by content hash, as the installed version of its pack id. Any
 * problem throws one PackImportError and leaves the store unchanged.
 */
export function importPack(store: ProgressStore, bytes: Uint8Array, validate: PackValidator, what = 'pack file'): PackImportResult {
  const pack = parsePackFile(bytes, what);
  let validation;
  try {
    validation = validate(pack.files);
  } catch (e) {
    throw new PackImportError(`${what}: the exercise checker failed: ${(e as Error).message}`);
  }
  if (!validation.ok) throw new PackImportError(`${what}: ${validation.error}`);
  const seen = new Set<string>();
  const exercises = validation.exercises.map((e, i) => {
    if (e.id === '' || seen.has(e.id)) throw new PackImportError(`${what}: exercise ${i} has ${e.id === '' ? 'an empty id' : `the id "${e.id}" twice`}`);
    seen.add(e.id);
    const missing = e.files.find((p) => !pack.files.has(p));
    if (missing !== undefined) throw new PackImportError(`${what}: exercise "${e.id}" names ${JSON.stringify(missing)}, which is not in the pack`);
    return { id: e.id, title: e.title ?? null, versionHash: exerciseVersionHash(e.id, e.files, pack.files) };
  });

  const db = store.db;
  const now = store.nowIso();
  return db.transaction((): PackImportResult => {
    const alreadyStored = db.prepare('SELECT 1 FROM packs WHERE hash = ?').get(pack.hash) !== undefined;
    const previous = new Map(exercises.map((e) => [e.id, store.installedExerciseVersion(e.id)]));
    if (!alreadyStored) {
      const insertBlob = db.prepare('INSERT OR IGNORE INTO blobs (hash, data) VALUES (?, ?)');
      const insertFile = db.prepare('INSERT INTO pack_files (pack_hash, path, blob_hash) VALUES (?, ?, ?)');
      db.prepare('INSERT INTO packs (hash, pack_id, title, imported_at) VALUES (?, ?, ?, ?)').run(pack.hash, pack.id, pack.title, now);
      for (const [path, content] of pack.files) {
        const hash = contentHash(content);
        insertBlob.run(hash, content);
        insertFile.run(pack.hash, path, hash);
      }
      const insertVersion = db.prepare(`INSERT INTO exercise_versions (exercise_id, version_hash, title, first_seen) VALUES (?, ?, ?, ?)
        ON CONFLICT (exercise_id, version_hash) DO UPDATE SET title = coalesce(excluded.title, exercise_versions.title)`);
      const insertPackExercise = db.prepare('INSERT INTO pack_exercises (pack_hash, exercise_id, version_hash, position) VALUES (?, ?, ?, ?)');
      exercises.forEach((e, position) => {
        insertVersion.run(e.id, e.versionHash, e.title, now);
        insertPackExercise.run(pack.hash, e.id, e.versionHash, position);
      });
    }
    db.prepare(`INSERT INTO installed_packs (pack_id, pack_hash, installed_at) VALUES (?, ?, ?)
      ON CONFLICT (pack_id) DO UPDATE SET pack_hash = excluded.pack_hash, installed_at = excluded.installed_at`).run(pack.id, pack.hash, now);
    return {
      packId: pack.id, title: pack.title, hash: pack.hash, alreadyStored,
      exercises: exercises.map((e) => ({ id: e.id, versionHash: e.versionHash, previousVersionHash: previous.get(e.id) ?? null })),
    };
  }).immediate();
}

/** Reads a pack file from disk, refusing one over the size limit before reading any of it. */
export function importPackFile(store: ProgressStore, filePath: string, validate: PackValidator): PackImportResult {
  return importPack(store, readPackFile(filePath), validate, filePath);
}

export function readPackFile(filePath: string): Uint8Array {
  let fd: number;
  try {
    fd = openSync(filePath, 'r');
  } catch (e) {
    throw new PackImportError(`${filePath}: cannot read it: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new PackImportError(`${filePath}: not a regular file`);
    if (stat.size > MAX_PACK_FILE_BYTES) {
      throw new PackImportError(`${filePath}: it is ${formatBytes(stat.size)}, larger than the limit of ${formatBytes(MAX_PACK_FILE_BYTES)}`);
    }
    // Read at most one byte past the limit, in case the file grows while it is read.
    const buffer = Buffer.alloc(Math.min(stat.size, MAX_PACK_FILE_BYTES) + 1);
    let length = 0;
    for (let n; length < buffer.length && (n = readSync(fd, buffer, length, buffer.length - length, null)) > 0;) length += n;
    if (length > MAX_PACK_FILE_BYTES) throw new PackImportError(`${filePath}: it grew past the limit of ${formatBytes(MAX_PACK_FILE_BYTES)} while being read`);
    return buffer.subarray(0, length);
  } finally {
    closeSync(fd);
  }
}

export function listInstalledPacks(store: ProgressStore): InstalledPack[] {
  return (store.db.prepare(`SELECT ip.pack_id AS packId, p.title, p.hash, ip.installed_at AS installedAt
      FROM installed_packs ip JOIN packs p ON p.hash = ip.pack_hash ORDER BY ip.pack_id`).all() as InstalledPack[]);
}

/** A stored pack's files, to hand to the engine. */
export function readStoredPack(store: ProgressStore, packHash: string): PackFiles {
  const rows = store.db.prepare(`SELECT f.path, b.data FROM pack_files f JOIN blobs b ON b.hash = f.blob_hash
      WHERE f.pack_hash = ? ORDER BY f.path`).all(packHash) as { path: string; data: Buffer }[];
  if (rows.length === 0) throw new PackImportError(`no stored pack with hash ${packHash}`);
  return new Map(rows.map((r) => [r.path, new Uint8Array(r.data)]));
}

export interface InstalledExercise {
  readonly packId: string;
  readonly exerciseId: string;
  readonly title: string | null;
  readonly versionHash: string;
}

/** The exercises of every installed pack, in each pack's order. */
export function listInstalledExercises(store: ProgressStore): InstalledExercise[] {
  return store.db.prepare(`SELECT ip.pack_id AS packId, pe.exercise_id AS exerciseId, ev.title, pe.version_hash AS versionHash
      FROM installed_packs ip
      JOIN pack_exercises pe ON pe.pack_hash = ip.pack_hash
      JOIN exercise_versions ev ON ev.exercise_id = pe.exercise_id AND ev.version_hash = pe.version_hash
     ORDER BY ip.pack_id, pe.position`).all() as InstalledExercise[];
}

/**
 * Uninstalls a pack: it leaves the list of packs, but its stored files and every attempt and draft
 * made on its exercises stay, so installing it again brings the learner's work back.
 */
export function removeInstalledPack(store: ProgressStore, packId: string): boolean {
  return store.db.prepare('DELETE FROM installed_packs WHERE pack_id = ?').run(packId).changes === 1;
}

/** The installed pack with this id and its exercises, or null. */
export function installedPack(store: ProgressStore, packId: string): InstalledPack | null {
  return listInstalledPacks(store).find((p) => p.packId === packId) ?? null;
}

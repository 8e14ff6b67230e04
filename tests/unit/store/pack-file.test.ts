import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_PACK_FILE_BYTES, createPackFile, parsePackFile, type PackFiles, type PackValidator } from '../../../backend/store/pack-file.ts';
import { importPack, importPackFile, listInstalledExercises, listInstalledPacks, readStoredPack } from '../../../backend/store/pack-import.ts';
import { ProgressStore } from '../../../backend/store/progress-store.ts';
import { gradeResult, steppingClock, tempDir } from './helpers.ts';

const MANIFEST = { path: 'pack.yaml', text: 'id: kernel-basics\ntitle: Kernel basics\n' };
const SAVE = [
  { path: 'save-context/exercise.yaml', text: 'id: save-context\n' },
  { path: 'save-context/starter.s', text: 'save_context:\n  ret\n' },
];
const RESTORE = [{ path: 'restore/exercise.yaml', text: 'id: restore\n' }];

const json = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8');
const pack = (files: unknown[]) => json({ format: 'switchyard-pack/1', files });
const decode = (b: Uint8Array | undefined) => new TextDecoder().decode(b);

/** Stands in for the engine's validator: each top-level folder with an exercise.yaml is an exercise. */
const folderValidator: PackValidator = (files: PackFiles) => {
  const exercises = [...files.keys()].filter((p) => p.endsWith('/exercise.yaml')).sort().map((p) => {
    const dir = p.slice(0, -'/exercise.yaml'.length);
    return { id: dir, title: `Exercise ${dir}`, files: [...files.keys()].filter((f) => f.startsWith(`${dir}/`)) };
  });
  const broken = exercises.find((e) => decode(files.get(`${e.id}/exercise.yaml`)).includes('broken'));
  if (broken !== undefined) return { ok: false, error: `${broken.id}/exercise.yaml: checks[0].expect: expected an expression like \`ctx.rax == in.rax\`, got a number` };
  return { ok: true, exercises };
};

function openStore(): ProgressStore {
  return ProgressStore.open(path.join(tempDir(), 'progress.sqlite3'), { now: steppingClock() });
}

function tableCounts(store: ProgressStore): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of ['blobs', 'packs', 'pack_files', 'installed_packs', 'exercise_versions', 'pack_exercises']) {
    out[t] = store.db.prepare(`SELECT count(*) FROM ${t}`).pluck().get() as number;
  }
  return out;
}

const huge = Buffer.alloc(MAX_PACK_FILE_BYTES + 1, 0x20);

describe('pack files: hostile and malformed input gets one exact error and stores nothing', () => {
  it.each<[string, Uint8Array, string]>([
    ['a file over the size limit', huge, 'pack file: it is 32.0 MiB, larger than the limit of 32.0 MiB'],
    ['binary junk', Buffer.from([0xff, 0xfe, 0x00, 0x41]), 'pack file is not UTF-8 text'],
    ['wrong JSON', Buffer.from('{"format": "switchyard-pack/1", files: []}'), 'pack file is not valid JSON: syntax error at line 1, column 33'],
    ['JSON cut short', Buffer.from('{"format": "switchyard-pack/1",\n "files": ['), 'pack file is not valid JSON: it ends too early'],
    ['JSON with a bad second line', Buffer.from('{"format": "switchyard-pack/1",\n  "files": [,]}'), 'pack file is not valid JSON: unexpected ","'],
    ['JSON that is not an object', json([1, 2]), 'pack file: the top level: Invalid input: expected object, received array'],
    ['a wrong format tag', json({ format: 'switchyard-pack/2', files: [] }), 'pack file: format is "switchyard-pack/2", expected "switchyard-pack/1"'],
    ['no format tag', json({ files: [] }), 'pack file: format: Invalid input: expected "switchyard-pack/1"'],
    ['no file list', json({ format: 'switchyard-pack/1' }), 'pack file: files: Invalid input: expected array, received undefined'],
    ['an unknown top-level field', json({ format: 'switchyard-pack/1', files: [], extra: 1 }), 'pack file: the top level: Unrecognized key: "extra"'],
    ['an entry without a path', pack([{ text: 'x' }]), 'pack file: files[0].path: Invalid input: expected string, received undefined'],
    ['an entry with an unknown field', pack([{ path: 'a', text: 'x', mode: 493 }]), 'pack file: files[0]: Unrecognized key: "mode"'],
    ['an empty path', pack([{ path: '', text: 'x' }]), 'pack file: files[0].path "" is empty'],
    ['a path with ..', pack([MANIFEST, { path: 'save/../../etc/passwd', text: 'x' }]), 'pack file: files[1].path "save/../../etc/passwd" contains "..": a path may not leave the pack'],
    ['a path that is only ..', pack([{ path: '..', text: 'x' }]), 'pack file: files[0].path ".." contains "..": a path may not leave the pack'],
    ['an absolute path', pack([{ path: '/etc/passwd', text: 'x' }]), 'pack file: files[0].path "/etc/passwd" is absolute: paths are relative to the pack'],
    ['a backslash', pack([{ path: 'save\\..\\x', text: 'x' }]), 'pack file: files[0].path "save\\\\..\\\\x" contains a backslash: separate folders with "/"'],
    ['a drive letter', pack([{ path: 'C:/Windows/x', text: 'x' }]), 'pack file: files[0].path "C:/Windows/x" starts with a drive letter: paths are relative to the pack'],
    ['a NUL byte', pack([{ path: 'save/a.s\u0000.yaml', text: 'x' }]), 'pack file: files[0].path "save/a.s\\u0000.yaml" contains a NUL character'],
    ['a control character', pack([{ path: 'save/a\nb', text: 'x' }]), 'pack file: files[0].path "save/a\\nb" contains a control character'],
    ['an empty folder name', pack([{ path: 'save//a.s', text: 'x' }]), 'pack file: files[0].path "save//a.s" has an empty folder name ("//" or a trailing "/")'],
    ['a trailing slash', pack([{ path: 'save/', text: 'x' }]), 'pack file: files[0].path "save/" has an empty folder name ("//" or a trailing "/")'],
    ['a . folder', pack([{ path: './pack.yaml', text: 'x' }]), 'pack file: files[0].path "./pack.yaml" contains a "." folder'],
    ['a Windows-reserved character', pack([{ path: 'save/a?.s', text: 'x' }]), 'pack file: files[0].path "save/a?.s" contains one of : * ? " < > |, which Windows does not allow in file names'],
    ['a very long path', pack([{ path: `${'a/'.repeat(120)}b`, text: 'x' }]), `pack file: files[0].path "${'a/'.repeat(120)}b" is longer than 240 characters`],
    ['a duplicate path', pack([MANIFEST, ...SAVE, { path: 'save-context/starter.s', text: 'evil' }]), 'pack file: files[3].path "save-context/starter.s" appears twice (also files[2])'],
    ['paths differing only in case', pack([MANIFEST, ...SAVE, { path: 'Save-Context/Starter.s', text: 'x' }]), 'pack file: files[3].path "Save-Context/Starter.s" differs from files[2].path "save-context/starter.s" only in letter case'],
    ['a file used as a folder', pack([MANIFEST, { path: 'save', text: 'x' }, { path: 'save/a.s', text: 'y' }]), 'pack file: files[1].path "save" is a file, but files[2].path "save/a.s" uses it as a folder'],
    ['a symlink entry', pack([MANIFEST, { path: 'save/link', type: 'symlink', text: '/etc/passwd' }]), 'pack file: files[1] ("save/link") has type "symlink": a pack holds regular files only'],
    ['an entry with both text and base64', pack([{ path: 'a', text: 'x', base64: 'eA==' }]), 'pack file: files[0] ("a") needs exactly one of "text" or "base64"'],
    ['an entry with no content', pack([{ path: 'a' }]), 'pack file: files[0] ("a") needs exactly one of "text" or "base64"'],
    ['bad base64', pack([{ path: 'logo.png', base64: 'not base64!' }]), 'pack file: files[0].base64 ("logo.png") is not valid base64'],
    ['a file over the per-file limit', pack([MANIFEST, { path: 'big.s', text: 'x'.repeat(2 * 1024 * 1024 + 1) }]), 'pack file: files[1] ("big.s") is 2.0 MiB, larger than the limit of 2.0 MiB per file'],
    ['too many files', pack(Array.from({ length: 2001 }, (_, i) => ({ path: `f${i}`, text: '' }))), 'pack file: it holds 2001 files, more than the limit of 2000'],
    ['no manifest', pack(SAVE), 'pack file: it has no pack.yaml at its top level'],
    ['a manifest that is not YAML', pack([{ path: 'pack.yaml', text: 'id: [unclosed' }]), 'pack file: pack.yaml: Flow sequence in block collection must be sufficiently indented and end with a ] at line 1, column 14:'],
    ['a manifest without a title', pack([{ path: 'pack.yaml', text: 'id: basics\n' }]), 'pack file: pack.yaml: title must be a non-empty string'],
    ['a manifest with a bad id', pack([{ path: 'pack.yaml', text: 'id: ../up\ntitle: T\n' }]), 'pack file: pack.yaml: id must be a string of lower-case letters, digits, ".", "_" or "-"'],
    ['an exercise the validator rejects', pack([MANIFEST, ...SAVE, { path: 'restore/exercise.yaml', text: 'broken: true\n' }]),
      'pack file: restore/exercise.yaml: checks[0].expect: expected an expression like `ctx.rax == in.rax`, got a number'],
  ])('%s', (_name, bytes, message) => {
    const store = openStore();
    importPack(store, pack([MANIFEST, ...SAVE]), folderValidator);
    const before = tableCounts(store);
    const installed = listInstalledPacks(store);
    expect(() => importPack(store, bytes, folderValidator)).toThrow(message);
    try {
      importPack(store, bytes, folderValidator);
    } catch (e) {
      expect((e as Error).message).toBe(message);
      expect((e as Error).name).toBe('PackImportError');
    }
    expect(tableCounts(store)).toEqual(before);
    expect(listInstalledPacks(store)).toEqual(installed);
    store.close();
  });

  it('a validator that throws is reported, and nothing is stored', () => {
    const store = openStore();
    const throwing: PackValidator = () => { throw new Error('spec loader crashed'); };
    expect(() => importPack(store, pack([MANIFEST, ...SAVE]), throwing)).toThrow('pack file: the exercise checker failed: spec loader crashed');
    expect(tableCounts(store).packs).toBe(0);
    store.close();
  });

  it.each<[string, PackValidator, string]>([
    ['a file not in the pack', () => ({ ok: true, exercises: [{ id: 'save-context', files: ['save-context/missing.s'] }] }),
      'pack file: exercise "save-context" names "save-context/missing.s", which is not in the pack'],
    ['the same id twice', () => ({ ok: true, exercises: [{ id: 'a', files: [] }, { id: 'a', files: [] }] }), 'pack file: exercise 1 has the id "a" twice'],
  ])('a validator answer naming %s is refused', (_name, validator, message) => {
    const store = openStore();
    expect(() => importPack(store, pack([MANIFEST, ...SAVE]), validator)).toThrow(message);
    expect(tableCounts(store).packs).toBe(0);
    store.close();
  });

  it('a pack file on disk over the limit is refused from its size, before it is read', () => {
    const store = openStore();
    const file = path.join(tempDir(), 'huge.swpack');
    writeFileSync(file, huge);
    expect(() => importPackFile(store, file, folderValidator)).toThrow(`${file}: it is 32.0 MiB, larger than the limit of 32.0 MiB`);
    expect(() => importPackFile(store, path.join(tempDir(), 'absent.swpack'), folderValidator)).toThrow(/absent\.swpack: cannot read it: ENOENT$/);
    expect(() => importPackFile(store, tempDir(), folderValidator)).toThrow('not a regular file');
    store.close();
  });
});

describe('pack import', () => {
  it('stores a pack by content hash, tells which exercises changed, and reads it back', () => {
    const store = openStore();
    const first = importPack(store, pack([MANIFEST, ...SAVE, ...RESTORE, { path: 'logo.png', base64: Buffer.from([0x89, 0x50, 0, 255]).toString('base64') }]), folderValidator);
    expect(first).toMatchObject({ packId: 'kernel-basics', title: 'Kernel basics', alreadyStored: false });
    expect(first.hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(first.exercises.map((e) => [e.id, e.previousVersionHash])).toEqual([['restore', null], ['save-context', null]]);
    const files = readStoredPack(store, first.hash);
    expect([...files.keys()]).toEqual(['logo.png', 'pack.yaml', 'restore/exercise.yaml', 'save-context/exercise.yaml', 'save-context/starter.s']);
    expect([...files.get('logo.png')!]).toEqual([0x89, 0x50, 0, 255]);

    const again = importPack(store, pack([...SAVE, ...RESTORE, MANIFEST, { path: 'logo.png', base64: Buffer.from([0x89, 0x50, 0, 255]).toString('base64') }]), folderValidator);
    expect(again).toMatchObject({ hash: first.hash, alreadyStored: true });

    const updated = importPack(store, pack([MANIFEST, SAVE[0], { path: 'save-context/starter.s', text: 'save_context:\n  hlt\n' }, ...RESTORE]), folderValidator);
    const [restore, save] = updated.exercises;
    expect(restore.versionHash).toBe(first.exercises[0].versionHash);
    expect(restore.previousVersionHash).toBe(restore.versionHash);
    expect(save.versionHash).not.toBe(first.exercises[1].versionHash);
    expect(save.previousVersionHash).toBe(first.exercises[1].versionHash);
    expect(store.installedExerciseVersion('save-context')).toBe(save.versionHash);
    expect(listInstalledPacks(store)).toEqual([expect.objectContaining({ packId: 'kernel-basics', hash: updated.hash })]);
    expect(store.db.prepare('SELECT count(*) FROM packs').pluck().get()).toBe(2);
    expect(listInstalledExercises(store)).toEqual([
      { packId: 'kernel-basics', exerciseId: 'restore', title: 'Exercise restore', versionHash: restore.versionHash },
      { packId: 'kernel-basics', exerciseId: 'save-context', title: 'Exercise save-context', versionHash: save.versionHash },
    ]);

    // Progress made on the old version survives the update and still names the version it was graded on.
    const p = store.createProfile({ name: 'Ada' });
    store.recordAttempt(p.id, { id: 'save-context', versionHash: first.exercises[1].versionHash }, 'src', gradeResult('save-context', 5, 5), '0.1.0');
    expect(store.progress(p.id, ['save-context'])[0]).toMatchObject({ status: 'passed', lastVersionHash: first.exercises[1].versionHash });
    store.close();
  });

  it('createPackFile and parsePackFile round-trip text and binary files', () => {
    const files = new Map<string, Uint8Array | string>([['pack.yaml', 'id: p\ntitle: P\n'], ['a/b.bin', new Uint8Array([0, 0xff, 0xc3])], ['a/c.s', 'nop\n']]);
    const parsed = parsePackFile(Buffer.from(createPackFile(files)));
    expect(parsed.id).toBe('p');
    expect(decode(parsed.files.get('a/c.s'))).toBe('nop\n');
    expect([...parsed.files.get('a/b.bin')!]).toEqual([0, 0xff, 0xc3]);
  });
});

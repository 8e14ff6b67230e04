import { mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeSource, MAX_SOURCE_BYTES, readSourceFile } from '../../../backend/grading/source-file.ts';
import { discoverSubmissions } from '../../../backend/grading/submissions.ts';

const root = mkdtempSync(join(tmpdir(), 'switchyard-subs-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const bytes = (...b: number[]) => Uint8Array.from(b);

describe('reading a learner file', () => {
  it.each([
    ['empty file', new Uint8Array(), 'f.s: the file is empty'],
    ['binary junk', bytes(0x7f, 0x45, 0x4c, 0x46, 0, 1, 2), 'f.s: binary data (NUL bytes), not assembly source text'],
    ['wrong encoding (Latin-1)', bytes(0x6d, 0x6f, 0x76, 0x20, 0xe9, 0x0a), 'f.s: not UTF-8 text; save the file as UTF-8'],
  ])('%s is refused', (_name, data, error) => {
    expect(decodeSource(data, 'f.s')).toEqual({ ok: false, error });
  });

  it('accepts UTF-8 text and drops a byte-order mark', () => {
    expect(decodeSource(bytes(0xef, 0xbb, 0xbf, 0x72, 0x65, 0x74), 'f.s')).toEqual({ ok: true, text: 'ret' });
  });

  it('refuses a 50 MB file from its size alone', () => {
    const path = join(root, 'huge.s');
    writeFileSync(path, '');
    truncateSync(path, 50 * 1024 * 1024);
    expect(readSourceFile(path)).toEqual({ ok: false, error: `${path}: 52428800 bytes is larger than the ${MAX_SOURCE_BYTES}-byte limit for a source file` });
  });

  it('names a missing file', () => {
    expect(readSourceFile(join(root, 'nope.s'))).toEqual({ ok: false, error: `${join(root, 'nope.s')}: no such file` });
  });
});

describe('discovering a class', () => {
  const dir = join(root, 'class');
  mkdirSync(join(dir, 'alice'), { recursive: true });
  writeFileSync(join(dir, 'alice', 'save-context.s'), 'save_context: ret\n');
  mkdirSync(join(dir, 'bob'));
  writeFileSync(join(dir, 'bob', 'save-context.s'), bytes(0, 1, 2, 3));
  writeFileSync(join(dir, 'carol.json'), JSON.stringify({
    format: 'switchyard-submission/1', student: { name: 'Carol', id: 's3' }, createdAt: '2026-01-01T00:00:00.000Z', engineVersion: '1.0.0',
    exercises: [{ id: 'save-context', source: 'save_context: hlt\n', origin: 'draft', versionHash: null, savedAt: '2026-01-01T00:00:00.000Z', selfCheck: null }],
  }));
  writeFileSync(join(dir, 'dave.json'), '{"format": "switchyard-submission/2"}');
  writeFileSync(join(dir, 'notes.txt'), 'hello');

  it('gives one submission per folder or bundle, with an error for what it cannot read', () => {
    const subs = discoverSubmissions(dir, ['save-context', 'callee-saved']);
    const summary = subs.map((s) => ({ student: s.student, error: s.error, sources: Object.fromEntries([...s.sources].map(([k, v]) => [k, v.ok ? v.text : v.error])) }));
    expect(summary).toEqual([
      { student: 'alice', error: undefined, sources: { 'save-context': 'save_context: ret\n', 'callee-saved': `${join(dir, 'alice', 'callee-saved.s')}: not submitted` } },
      { student: 'bob', error: undefined, sources: { 'save-context': `${join(dir, 'bob', 'save-context.s')}: binary data (NUL bytes), not assembly source text`, 'callee-saved': `${join(dir, 'bob', 'callee-saved.s')}: not submitted` } },
      { student: 'Carol (s3)', error: undefined, sources: { 'save-context': 'save_context: hlt\n', 'callee-saved': `${join(dir, 'carol.json')}: the bundle has no source for callee-saved` } },
      { student: 'dave', error: `${join(dir, 'dave.json')}: format is "switchyard-submission/2", expected "switchyard-submission/1"`, sources: {} },
      { student: 'notes.txt', error: `${join(dir, 'notes.txt')}: not a submission: expected a folder of .s files or a switchyard-submission/1 .json bundle`, sources: {} },
    ]);
  });

  it('reads one file per student when one exercise is graded', () => {
    const flat = join(root, 'flat');
    mkdirSync(flat);
    writeFileSync(join(flat, 'alice.s'), 'save_context: ret\n');
    writeFileSync(join(flat, 'bob.asm'), '');
    const subs = discoverSubmissions(flat, ['save-context']);
    expect(subs.map((s) => [s.student, s.sources.get('save-context')])).toEqual([
      ['alice', { ok: true, text: 'save_context: ret\n' }],
      ['bob', { ok: false, error: `${join(flat, 'bob.asm')}: the file is empty` }],
    ]);
  });

  it('treats a folder that holds .s files as one submission (Gradescope layout)', () => {
    const subs = discoverSubmissions(join(dir, 'alice'), ['save-context']);
    expect(subs.map((s) => s.student)).toEqual(['alice']);
  });
});

describe('validating an imported pack file', () => {
  const encode = (files: Record<string, string>) => new Map(Object.entries(files).map(([p, t]) => [p, new TextEncoder().encode(t)]));

  it('accepts the bundled pack and lists each exercise with its files', async () => {
    const { readPackFiles, bundledPackDir } = await import('../../../backend/grading/pack-dir.ts');
    const { validatePackFiles } = await import('../../../backend/grading/pack-validator.ts');
    const files = new Map([...readPackFiles(bundledPackDir())].map(([p, t]) => [p, new TextEncoder().encode(t)]));
    const result = validatePackFiles(files);
    expect(result.ok).toBe(true);
    if (result.ok) expect([...(result.exercises.find((e) => e.id === 'callee-saved')?.files ?? [])].sort()).toEqual(['callee-saved/README.md', 'callee-saved/exercise.yaml', 'callee-saved/harness.s', 'callee-saved/mistakes/README.md', 'callee-saved/mistakes/data-stash.s', 'callee-saved/mistakes/jmp-not-call.s', 'callee-saved/solution.s', 'callee-saved/starter.s']);
  });

  it.each([
    ['no pack.yaml', {}, 'pack/pack.yaml: missing: a pack needs pack.yaml (id, title, tracks)'],
    ['a broken spec', { 'pack.yaml': 'id: p\ntitle: P\ntracks:\n  - { id: t, title: T, exercises: [a] }\n', 'a/exercise.yaml': 'id: a\n' }, 'pack/a/exercise.yaml: title: expected a title, got nothing (and 4 more)'],
  ])('refuses %s with one message', async (_name, files, error) => {
    const { validatePackFiles } = await import('../../../backend/grading/pack-validator.ts');
    expect(validatePackFiles(encode(files))).toEqual({ ok: false, error });
  });
});

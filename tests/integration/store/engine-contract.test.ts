import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ENGINE_VERSION, loadPack, type GradeResult as EngineGradeResult } from '../../../exercises/engine/index.ts';
import { createPackFile, type PackFiles, type PackValidator } from '../../../backend/store/pack-file.ts';
import { importPack, readStoredPack } from '../../../backend/store/pack-import.ts';
import { ProgressStore } from '../../../backend/store/progress-store.ts';
import { createSubmissionBundle, parseSubmissionBundle, serializeSubmissionBundle } from '../../../backend/store/submission-bundle.ts';

const bundledPack = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../exercises/pack');

function readTree(root: string, dir = ''): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  for (const name of readdirSync(path.join(root, dir)).sort()) {
    const rel = dir === '' ? name : `${dir}/${name}`;
    if (statSync(path.join(root, rel)).isDirectory()) readTree(root, rel).forEach((v, k) => out.set(k, v));
    else out.set(rel, readFileSync(path.join(root, rel)));
  }
  return out;
}

/** The engine's own pack loader as the store's validator. */
const engineValidator: PackValidator = (files: PackFiles) => {
  const texts = new Map([...files].map(([p, b]) => [p, new TextDecoder().decode(b)]));
  try {
    const pack = loadPack(texts, 'pack');
    return { ok: true, exercises: pack.exercises.map((e) => ({ id: e.id, title: e.spec.title, files: [...files.keys()].filter((p) => p.startsWith(`${e.id}/`)) })) };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
};

const dirs: string[] = [];
function openStore(): ProgressStore {
  const dir = mkdtempSync(path.join(tmpdir(), 'switchyard-contract-'));
  dirs.push(dir);
  return ProgressStore.open(path.join(dir, 'progress.sqlite3'));
}
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('the store and the exercise engine agree', () => {
  it('the bundled pack travels as a pack file, is checked by the engine and stored by exercise version', () => {
    const store = openStore();
    const files = readTree(bundledPack);
    const result = importPack(store, Buffer.from(createPackFile(files)), engineValidator, 'core.swpack');
    const expectedIds = loadPack(new Map([...files].map(([p, b]) => [p, new TextDecoder().decode(b)])), 'pack').exercises.map((e) => e.id);
    expect(result.exercises.map((e) => e.id)).toEqual(expectedIds);
    for (const e of result.exercises) expect(store.installedExerciseVersion(e.id)).toBe(e.versionHash);
    const back = readStoredPack(store, result.hash);
    expect([...back.keys()].sort()).toEqual([...files.keys()].sort());
    for (const [p, bytes] of files) expect(Buffer.from(back.get(p)!).equals(Buffer.from(bytes))).toBe(true);
    store.close();
  });

  it("the engine's rejection of an exercise is the one error, and nothing is stored", () => {
    const store = openStore();
    const files = readTree(bundledPack);
    const [first] = [...files.keys()].filter((p) => p.endsWith('/exercise.yaml'));
    files.set(first, Buffer.from('id: [\n'));
    const expected = engineValidator(files);
    expect(expected.ok).toBe(false);
    expect(() => importPack(store, Buffer.from(createPackFile(files)), engineValidator, 'core.swpack'))
      .toThrow(`core.swpack: ${(expected as { error: string }).error}`);
    expect(store.db.prepare('SELECT count(*) FROM packs').pluck().get()).toBe(0);
    store.close();
  });

  it("an engine grading result is recorded whole and its score is the one stored", () => {
    const store = openStore();
    const profile = store.createProfile({ name: 'Ada', studentId: 'ada@example.edu' });
    const graded: EngineGradeResult = {
      exercise: 'save-context', status: 'fail', passed: false, score: 3, maxScore: 5,
      cases: { total: 100, failed: 12, seed: '0x1234' },
      checks: [{ name: 'r12 saved', kind: 'equal', passed: false, weight: 2, hidden: false, failedCases: 12,
        message: 'ctx.r12 (offset 0x60) holds 0x5, expected 0x9', expected: '0x9', actual: '0x5',
        failure: { index: 3, inputs: { r12: '0x9' }, stop: 'hlt after 41 instructions' } }],
      diagnostics: [],
    };
    const attempt = store.recordAttempt(profile.id, { id: 'save-context', versionHash: 'sha256:1' }, 'src', graded, ENGINE_VERSION);
    expect(store.getAttempt(attempt.id)?.result).toEqual(graded);
    expect(store.progress(profile.id, ['save-context'])[0]).toMatchObject({ status: 'attempted', bestScore: 3, maxScore: 5 });
    const bundle = parseSubmissionBundle(serializeSubmissionBundle(createSubmissionBundle(store, profile.id)));
    expect(bundle).toMatchObject({ engineVersion: ENGINE_VERSION, exercises: [{ id: 'save-context', source: 'src', origin: 'best-attempt' }] });
    store.close();
  });
});

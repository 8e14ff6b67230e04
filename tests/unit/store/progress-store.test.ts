import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ProgressStore } from '../../../backend/store/progress-store.ts';
import type { GradeResult } from '../../../backend/store/grade-result.ts';
import { gradeResult, steppingClock, tempDir } from './helpers.ts';

function openStore(): ProgressStore {
  return ProgressStore.open(path.join(tempDir(), 'nested', 'progress.sqlite3'), { now: steppingClock() });
}

const SAVE = { id: 'save-context', versionHash: 'sha256:aaa' };

describe('ProgressStore', () => {
  it('creates its directory and opens in WAL mode with foreign keys and full sync', () => {
    const store = openStore();
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(store.db.pragma('synchronous', { simple: true })).toBe(2);
    expect(store.recoveryNotice).toBeNull();
    store.close();
  });

  it('keeps profiles with settings and the student id as given', () => {
    const store = openStore();
    const ada = store.createProfile({ name: '  Ada Lovelace ', studentId: 'ada@example.edu' });
    const bob = store.createProfile({ name: 'Bob', settings: { fontSize: 15 } });
    expect(store.listProfiles().map((p) => [p.name, p.studentId, p.settings])).toEqual([
      ['Ada Lovelace', 'ada@example.edu', {}], ['Bob', null, { fontSize: 15 }]]);
    expect(store.updateProfile(ada.id, { settings: { theme: 'dark' } }).settings).toEqual({ theme: 'dark' });
    expect(store.getProfile(ada.id)?.settings).toEqual({ theme: 'dark' });
    expect(() => store.createProfile({ name: '  ' })).toThrow('a profile needs a name');
    expect(() => store.createProfile({ name: 'Eve', id: ' ' })).toThrow('a profile id may not be empty');
    store.deleteProfile(bob.id);
    expect(store.getProfile(bob.id)).toBeNull();
    store.close();
  });

  it('upserts one draft per profile and exercise', () => {
    const store = openStore();
    const p = store.createProfile({ name: 'Ada' });
    store.saveDraft(p.id, 'save-context', 'first');
    store.saveDraft(p.id, 'save-context', 'second', 'sha256:aaa');
    store.saveDraft(p.id, 'restore', 'other');
    expect(store.listDrafts(p.id).map((d) => [d.exerciseId, d.source, d.versionHash])).toEqual([
      ['restore', 'other', null], ['save-context', 'second', 'sha256:aaa']]);
    expect(() => store.saveDraft('nobody', 'x', 'y')).toThrow('no learner profile with id "nobody"');
    expect(() => store.saveDraft(p.id, 'x', 'a'.repeat(1024 * 1024 + 1))).toThrow('the draft for x is larger than the limit of 1024 KiB');
    store.close();
  });

  it('derives progress from graded attempts: not started, attempted, passed, best score', () => {
    const store = openStore();
    const p = store.createProfile({ name: 'Ada' });
    store.recordAttempt(p.id, SAVE, 'try 1', gradeResult('save-context', 2, 5), '0.1.0', { durationMs: 40 });
    store.recordAttempt(p.id, { id: 'restore', versionHash: 'sha256:bbb' }, 'r', gradeResult('restore', 1, 4), '0.1.0');
    store.recordAttempt(p.id, SAVE, 'try 2', gradeResult('save-context', 5, 5), '0.1.0');
    store.recordAttempt(p.id, { ...SAVE, versionHash: 'sha256:ccc' }, 'try 3', gradeResult('save-context', 3, 6), '0.2.0');
    const progress = store.progress(p.id, ['save-context', 'restore', 'iretq']);
    expect(progress.map((e) => [e.exerciseId, e.status, e.attempts, e.bestScore, e.maxScore, e.lastVersionHash])).toEqual([
      ['save-context', 'passed', 3, 5, 5, 'sha256:ccc'],
      ['restore', 'attempted', 1, 1, 4, 'sha256:bbb'],
      ['iretq', 'not-started', 0, null, null, null],
    ]);
    expect(progress[0].firstPassedAt).toBe(store.listAttempts(p.id, 'save-context')[1].createdAt);
    expect(store.progress(p.id).map((e) => e.exerciseId)).toEqual(['restore', 'save-context']);
    const [first] = store.listAttempts(p.id, 'save-context');
    expect(first).toMatchObject({ source: 'try 1', score: 2, maxScore: 5, passed: false, engineVersion: '0.1.0', durationMs: 40 });
    expect(store.getAttempt(first.id)?.result).toEqual(gradeResult('save-context', 2, 5));
    store.close();
  });

  const bad = (patch: Record<string, unknown>) => ({ ...gradeResult('save-context', 2, 5), ...patch }) as unknown as GradeResult;
  it.each([
    ['score above maxScore', bad({ score: 6 }), 'grading result for save-context: score: score is larger than maxScore'],
    ['negative score', bad({ score: -1 }), 'grading result for save-context: score: Too small: expected number to be >=0'],
    ['score not a number', bad({ score: '5' }), 'grading result for save-context: score: Invalid input: expected number, received string'],
    ['no passed flag', bad({ passed: undefined }), 'grading result for save-context: passed: Invalid input: expected boolean, received undefined'],
    ['no checks', bad({ checks: undefined }), 'grading result for save-context: checks: Invalid input: expected array, received undefined'],
    ['infinite maxScore', bad({ maxScore: Infinity }), 'grading result for save-context: maxScore: Invalid input: expected number, received Infinity'],
    ['another exercise', bad({ exercise: 'restore' }), 'grading result is for exercise "restore", not "save-context"'],
  ])('refuses an attempt whose result has %s', (_name, result, message) => {
    const store = openStore();
    const p = store.createProfile({ name: 'Ada' });
    expect(() => store.recordAttempt(p.id, SAVE, 'src', result, '0.1.0')).toThrow(message);
    expect(store.listAttempts(p.id)).toEqual([]);
    store.close();
  });

  it.each([
    ['an unknown profile', 'nobody', SAVE, '0.1.0', {}, 'no learner profile with id "nobody"'],
    ['no engine version', 'PROFILE', SAVE, '', {}, 'an attempt needs the engine version that graded it'],
    ['no version hash', 'PROFILE', { id: 'save-context', versionHash: '' }, '0.1.0', {}, 'an attempt needs an exercise id and version hash'],
    ['a fractional duration', 'PROFILE', SAVE, '0.1.0', { durationMs: 1.5 }, 'attempt duration must be a non-negative whole number of milliseconds, got 1.5'],
  ])('refuses an attempt with %s', (_name, profile, exercise, engine, options, message) => {
    const store = openStore();
    const p = store.createProfile({ name: 'Ada' });
    const profileId = profile === 'PROFILE' ? p.id : profile;
    expect(() => store.recordAttempt(profileId, exercise, 'src', gradeResult('save-context', 1, 5), engine, options)).toThrow(message);
    expect(store.db.prepare('SELECT count(*) FROM attempts').pluck().get()).toBe(0);
    store.close();
  });

  it('keeps data across close and reopen', () => {
    const file = path.join(tempDir(), 'progress.sqlite3');
    const store = ProgressStore.open(file);
    const p = store.createProfile({ name: 'Ada' });
    const a = store.recordAttempt(p.id, SAVE, 'src', gradeResult('save-context', 5, 5), '0.1.0');
    store.close();
    const again = ProgressStore.open(file);
    expect(again.getAttempt(a.id)).toEqual(a);
    again.close();
  });
});

describe('loading better-sqlite3', () => {
  it('uses the native binding it is given (Electron passes its own ABI build)', () => {
    const dir = tempDir();
    const nodeBuild = createRequire(import.meta.url).resolve('better-sqlite3/build/Release/better_sqlite3.node');
    const store = ProgressStore.open(path.join(dir, 'a.sqlite3'), { nativeBinding: nodeBuild });
    expect(store.createProfile({ name: 'Ada' }).name).toBe('Ada');
    store.close();
    expect(() => ProgressStore.open(path.join(dir, 'b.sqlite3'), { nativeBinding: path.join(dir, 'missing', 'better_sqlite3.node') }))
      .toThrow(/Cannot find module/);
  });
});

describe('opening', () => {
  it('says which folder it could not create', () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'a-file'), '');
    const target = path.join(dir, 'a-file', 'sub', 'progress.sqlite3');
    expect(() => ProgressStore.open(target)).toThrow(`cannot create the folder for the progress database ${target}: ENOTDIR`);
  });
});

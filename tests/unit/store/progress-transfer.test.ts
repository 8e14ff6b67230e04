import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportProgress, importProgress, type ProgressExport } from '../../../backend/store/progress-transfer.ts';
import { ProgressStore } from '../../../backend/store/progress-store.ts';
import { gradeResult, steppingClock, tempDir } from './helpers.ts';

function openStore(start?: number): ProgressStore {
  return ProgressStore.open(path.join(tempDir(), 'progress.sqlite3'), { now: steppingClock(start) });
}

function learnerWithWork(store: ProgressStore): string {
  const p = store.createProfile({ name: 'Ada', studentId: '2024-117', settings: { fontSize: 14 } });
  store.saveDraft(p.id, 'save-context', 'mov %rax, (%rdi)\n', 'h1');
  store.recordAttempt(p.id, { id: 'save-context', versionHash: 'h1' }, 'try 1', gradeResult('save-context', 2, 5), '0.1.0', { durationMs: 31 });
  store.recordAttempt(p.id, { id: 'save-context', versionHash: 'h1' }, 'try 2', gradeResult('save-context', 5, 5), '0.1.0');
  store.recordAttempt(p.id, { id: 'restore', versionHash: 'h9' }, 'r', gradeResult('restore', 0, 3), '0.1.0');
  return p.id;
}

const attemptCount = (s: ProgressStore) => s.db.prepare('SELECT count(*) FROM attempts').pluck().get();

describe('progress export and import', () => {
  it('moves a learner to another machine, and a second import of the same file changes nothing', () => {
    const home = openStore();
    const id = learnerWithWork(home);
    const file = JSON.stringify(exportProgress(home));
    const lab = openStore(Date.UTC(2027, 0, 1));
    expect(importProgress(lab, file)).toEqual({ profilesAdded: 1, profilesAlreadyPresent: 0, draftsWritten: 1, draftsKeptNewer: 0, attemptsAdded: 3, attemptsAlreadyPresent: 0 });
    expect(importProgress(lab, file)).toEqual({ profilesAdded: 0, profilesAlreadyPresent: 1, draftsWritten: 0, draftsKeptNewer: 1, attemptsAdded: 0, attemptsAlreadyPresent: 3 });
    expect(lab.getProfile(id)).toEqual(home.getProfile(id));
    expect(lab.listAttempts(id)).toEqual(home.listAttempts(id));
    expect(lab.listDrafts(id)).toEqual(home.listDrafts(id));
    expect(lab.progress(id)).toEqual(home.progress(id));
    home.close();
    lab.close();
  });

  it('keeps the newer draft on either side', () => {
    const a = openStore();
    const id = learnerWithWork(a);
    const older = JSON.stringify(exportProgress(a));
    a.saveDraft(id, 'save-context', 'newer text');
    const newer = JSON.stringify(exportProgress(a));
    const b = openStore();
    importProgress(b, newer);
    expect(importProgress(b, older).draftsKeptNewer).toBe(1);
    expect(b.getDraft(id, 'save-context')?.source).toBe('newer text');
    a.close();
    b.close();
  });

  const valid = (): ProgressExport => {
    const s = openStore();
    learnerWithWork(s);
    const out = exportProgress(s);
    s.close();
    return out;
  };
  type Mutation = (f: ProgressExport & Record<string, unknown>) => unknown;
  const mutate = (m: Mutation): string => {
    const f = valid() as ProgressExport & Record<string, unknown>;
    m(f);
    return JSON.stringify(f);
  };
  it.each<[string, string | Uint8Array, string]>([
    ['wrong JSON', '{"format":', 'progress file is not valid JSON: it ends too early'],
    ['not UTF-8', new Uint8Array([0x7b, 0xc3, 0x28, 0x7d]), 'progress file is not UTF-8 text'],
    ['a file over the limit', ' '.repeat(64 * 1024 * 1024 + 1), 'progress file is 64.0 MiB, larger than the limit of 64.0 MiB'],
    ['a wrong format tag', mutate((f) => { (f as { format: string }).format = 'switchyard-submission/1'; }), 'progress file: format is "switchyard-submission/1", expected "switchyard-progress/1"'],
    ['a missing format tag', mutate((f) => { delete (f as Partial<ProgressExport>).format; }), 'progress file: format: Invalid input: expected "switchyard-progress/1"'],
    ['missing profiles', mutate((f) => { delete (f as Partial<ProgressExport>).profiles; }), 'progress file: profiles: Invalid input: expected array, received undefined'],
    ['an unknown field', mutate((f) => { f.extra = true; }), 'progress file: Unrecognized key: "extra"'],
    ['a profile without a name', mutate((f) => { (f.profiles[0] as { name: string }).name = ' '; }), 'progress file: profiles[0].name: Too small: expected string to have >=1 characters'],
    ['an attempt without source', mutate((f) => { delete (f.profiles[0].attempts[1] as { source?: string }).source; }),
      'progress file: profiles[0].attempts[1].source: Invalid input: expected string, received undefined'],
    ['a result whose score exceeds maxScore', mutate((f) => { (f.profiles[0].attempts[2].result as { score: number }).score = 9; }),
      'progress file: profiles[0].attempts[2].result.score: score is larger than maxScore'],
    ['a result for another exercise', mutate((f) => { (f.profiles[0].attempts[0].result as { exercise: string }).exercise = 'restore'; }),
      'progress file: profiles[0].attempts[0].result.exercise: the result is for another exercise than exerciseId'],
    ['a bad timestamp', mutate((f) => { (f.profiles[0].drafts[0] as { updatedAt: string }).updatedAt = 'yesterday'; }),
      'progress file: profiles[0].drafts[0].updatedAt: Invalid ISO datetime'],
    ['a duplicated attempt id', mutate((f) => { (f.profiles[0].attempts[2] as { id: string }).id = f.profiles[0].attempts[0].id; }),
      'progress file: profiles[0].attempts[2].id: "ATTEMPT0" is also the id of profiles[0].attempts[0]'],
    ['two drafts for one exercise', mutate((f) => { f.profiles[0].drafts.push({ ...f.profiles[0].drafts[0] }); }),
      'progress file: profiles[0].drafts[1].exerciseId: a second draft for "save-context" (also drafts[0])'],
    ['a huge source', mutate((f) => { (f.profiles[0].attempts[0] as { source: string }).source = 'x'.repeat(1024 * 1024 + 1); }),
      'progress file: profiles[0].attempts[0].source: larger than the limit of 1024 KiB'],
  ])('refuses %s with an exact error and writes nothing', (_name, input, message) => {
    const store = openStore();
    const expected = message.replace('ATTEMPT0', typeof input === 'string' ? (/"attempts":\[\{"id":"([^"]+)"/.exec(input)?.[1] ?? '') : '');
    expect(() => importProgress(store, input)).toThrow(expected);
    try {
      importProgress(store, input);
    } catch (e) {
      expect((e as Error).message).toBe(expected);
    }
    expect(store.listProfiles()).toEqual([]);
    expect(attemptCount(store)).toBe(0);
    store.close();
  });

  it('a file whose last profile is bad imports nothing from the good ones before it', () => {
    const store = openStore();
    const file = mutate((f) => { f.profiles.push({ ...f.profiles[0], id: 'second', attempts: [{ ...f.profiles[0].attempts[0], id: 'x', durationMs: -1 }] }); });
    expect(() => importProgress(store, file)).toThrow('progress file: profiles[1].attempts[0].durationMs: Too small: expected number to be >=0');
    expect(store.listProfiles()).toEqual([]);
    store.close();
  });
});

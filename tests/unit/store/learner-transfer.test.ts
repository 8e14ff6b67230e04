import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportProgress, importIntoLearner, previewLearnerImport, ProgressStore } from '../../../backend/store/index.ts';
import { gradeResult, steppingClock, tempDir } from './helpers.ts';

function open(start?: number): ProgressStore {
  return ProgressStore.open(path.join(tempDir(), 'progress.sqlite3'), { now: steppingClock(start) });
}

/** Another machine: its own profile id, two attempts and a draft newer than ours. */
function otherMachine() {
  const store = open(Date.UTC(2026, 5, 1));
  const p = store.createProfile({ name: 'Learner' });
  store.recordAttempt(p.id, { id: 'save-context', versionHash: 'v1' }, 'away 1', gradeResult('save-context', 2, 5), '1.0.0');
  store.recordAttempt(p.id, { id: 'switch-to', versionHash: 'v1' }, 'away 2', gradeResult('switch-to', 5, 5), '1.0.0');
  store.saveDraft(p.id, 'save-context', 'newer draft from away');
  store.saveDraft(p.id, 'callee-saved', 'older draft from away');
  const text = JSON.stringify(exportProgress(store));
  store.close();
  return text;
}

describe('importing progress into the lab\'s learner', () => {
  it('previews exactly what the import then does, changes nothing before, and is idempotent', () => {
    const text = otherMachine();
    const store = open(Date.UTC(2026, 0, 1));
    const me = store.createProfile({ name: 'Learner' });
    store.recordAttempt(me.id, { id: 'save-context', versionHash: 'v1' }, 'home', gradeResult('save-context', 1, 5), '1.0.0');
    store.saveDraft(me.id, 'save-context', 'older draft at home');
    store.saveDraft(me.id, 'callee-saved', 'x');
    // The home draft of callee-saved is written after the file's: ours is the newer one.

    const preview = previewLearnerImport(store, me.id, text, 'away.json');
    expect(store.listAttempts(me.id)).toHaveLength(1);
    expect(store.getDraft(me.id, 'save-context')?.source).toBe('older draft at home');
    expect(preview).toMatchObject({ attemptsAdded: 2, attemptsAlreadyPresent: 0, draftsWritten: 2, draftsKeptNewer: 0 });
    expect(preview.exercisesChanged).toEqual(['callee-saved', 'save-context', 'switch-to']);

    const applied = importIntoLearner(store, me.id, text, 'away.json');
    expect(applied).toEqual(preview);
    expect(store.listProfiles()).toHaveLength(1);
    expect(store.listAttempts(me.id).map((a) => a.source).sort()).toEqual(['away 1', 'away 2', 'home']);
    expect(store.getDraft(me.id, 'save-context')?.source).toBe('newer draft from away');

    const again = importIntoLearner(store, me.id, text, 'away.json');
    expect(again).toMatchObject({ attemptsAdded: 0, attemptsAlreadyPresent: 2, draftsWritten: 0, draftsKeptNewer: 2, exercisesChanged: [] });
  });

  it('keeps the learner\'s newer draft', () => {
    const text = otherMachine();
    const store = open(Date.UTC(2030, 0, 1));
    const me = store.createProfile({ name: 'Learner' });
    store.saveDraft(me.id, 'callee-saved', 'newest at home');
    const result = importIntoLearner(store, me.id, text);
    expect(result.draftsKeptNewer).toBe(1);
    expect(store.getDraft(me.id, 'callee-saved')?.source).toBe('newest at home');
  });

  it.each([
    ['not JSON', '{"format": ', /away\.json is not valid JSON/],
    ['a foreign format', JSON.stringify({ format: 'other-app/3', profiles: [] }), /format is "other-app\/3", expected "switchyard-progress\/1"/],
    ['a submission bundle', JSON.stringify({ format: 'switchyard-submission/1' }), /expected "switchyard-progress\/1"/],
    ['a damaged attempt', null, /profiles\[0\]\.attempts\[0\]\.source/],
  ])('refuses %s, naming the problem, and changes nothing', (_what, input, message) => {
    let text = input;
    if (text === null) {
      const file = JSON.parse(otherMachine()) as { profiles: { attempts: { source: unknown }[] }[] };
      file.profiles[0].attempts[0].source = 42;
      text = JSON.stringify(file);
    }
    const store = open();
    const me = store.createProfile({ name: 'Learner' });
    expect(() => previewLearnerImport(store, me.id, text, 'away.json')).toThrow(message);
    expect(() => importIntoLearner(store, me.id, text, 'away.json')).toThrow(message);
    expect(store.listAttempts(me.id)).toHaveLength(0);
  });
});

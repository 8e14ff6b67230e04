import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ProgressStore } from '../../../backend/store/progress-store.ts';
import { createSubmissionBundle, parseSubmissionBundle, serializeSubmissionBundle, type SourceChoice } from '../../../backend/store/submission-bundle.ts';
import { gradeResult, steppingClock, tempDir } from './helpers.ts';

function classroomLearner() {
  const store = ProgressStore.open(path.join(tempDir(), 'progress.sqlite3'), { now: steppingClock() });
  const p = store.createProfile({ name: 'Grace Hopper', studentId: 'grace@example.edu' });
  store.recordAttempt(p.id, { id: 'save-context', versionHash: 'h1' }, 'passing', gradeResult('save-context', 5, 5), '0.1.0');
  store.recordAttempt(p.id, { id: 'save-context', versionHash: 'h1' }, 'later but worse', gradeResult('save-context', 3, 5), '0.2.0');
  store.saveDraft(p.id, 'save-context', 'still typing');
  store.recordAttempt(p.id, { id: 'restore', versionHash: 'h2' }, 'restore 1', gradeResult('restore', 1, 4), '0.1.0');
  store.recordAttempt(p.id, { id: 'restore', versionHash: 'h2' }, 'restore 2', gradeResult('restore', 1, 4), '0.1.0');
  store.saveDraft(p.id, 'iretq', 'only a draft');
  return { store, profileId: p.id };
}

describe('submission bundles', () => {
  it.each<[SourceChoice, Record<string, [string, string]>]>([
    ['best', { 'iretq': ['only a draft', 'draft'], 'restore': ['restore 2', 'best-attempt'], 'save-context': ['passing', 'best-attempt'] }],
    ['latest', { 'iretq': ['only a draft', 'draft'], 'restore': ['restore 2', 'latest-attempt'], 'save-context': ['later but worse', 'latest-attempt'] }],
    ['draft', { 'iretq': ['only a draft', 'draft'], 'restore': ['restore 2', 'latest-attempt'], 'save-context': ['still typing', 'draft'] }],
  ])('choosing the %s source per exercise', (choose, expected) => {
    const { store, profileId } = classroomLearner();
    const bundle = createSubmissionBundle(store, profileId, undefined, { choose });
    expect(Object.fromEntries(bundle.exercises.map((e) => [e.id, [e.source, e.origin]]))).toEqual(expected);
    expect(bundle.student).toEqual({ name: 'Grace Hopper', id: 'grace@example.edu' });
    expect(parseSubmissionBundle(serializeSubmissionBundle(bundle))).toEqual(bundle);
    store.close();
  });

  it('takes the listed exercises in order, leaves out those with no work, and reports the learner’s own check', () => {
    const { store, profileId } = classroomLearner();
    const bundle = createSubmissionBundle(store, profileId, ['restore', 'never-opened', 'save-context']);
    expect(bundle.exercises.map((e) => e.id)).toEqual(['restore', 'save-context']);
    expect(bundle.exercises[1].selfCheck).toEqual({ passed: true, score: 5, maxScore: 5, engineVersion: '0.1.0' });
    expect(bundle.engineVersion).toBe('0.1.0');
    expect(createSubmissionBundle(store, profileId, undefined, { choose: 'latest' }).engineVersion).toBe('0.2.0');
    expect(createSubmissionBundle(store, profileId, undefined, { engineVersion: '1.0.0' }).engineVersion).toBe('1.0.0');
    expect(() => createSubmissionBundle(store, 'nobody')).toThrow('no learner profile with id "nobody"');
    store.close();
  });

  const good = () => {
    const { store, profileId } = classroomLearner();
    const b = createSubmissionBundle(store, profileId);
    store.close();
    return b as unknown as Record<string, unknown> & { exercises: Record<string, unknown>[]; student: Record<string, unknown> };
  };
  it.each<[string, (b: ReturnType<typeof good>) => unknown, string]>([
    ['a wrong format tag', (b) => { b.format = 'switchyard-progress/1'; }, 'submission bundle: format is "switchyard-progress/1", expected "switchyard-submission/1"'],
    ['no student name', (b) => { delete b.student.name; }, 'submission bundle: student.name: Invalid input: expected string, received undefined'],
    ['an unknown origin', (b) => { b.exercises[0].origin = 'teacher'; }, 'submission bundle: exercises[0].origin: Invalid option: expected one of "best-attempt"|"latest-attempt"|"draft"'],
    ['a source that is not text', (b) => { b.exercises[1].source = 42; }, 'submission bundle: exercises[1].source: Invalid input: expected string, received number'],
    ['the same exercise twice', (b) => { b.exercises.push({ ...b.exercises[0] }); }, 'submission bundle: exercises[3].id: "iretq" is also exercises[0]'],
    ['an unknown field', (b) => { b.grade = 100; }, 'submission bundle: Unrecognized key: "grade"'],
  ])('refuses a bundle with %s', (_name, mutate, message) => {
    const b = good();
    mutate(b);
    expect(() => parseSubmissionBundle(JSON.stringify(b))).toThrow(message);
  });

  it('refuses an oversized bundle before parsing it', () => {
    expect(() => parseSubmissionBundle('['.repeat(16 * 1024 * 1024 + 1), 'alice.json')).toThrow('alice.json is 16.0 MiB, larger than the limit of 16.0 MiB');
  });
});

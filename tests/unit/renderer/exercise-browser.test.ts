import { describe, expect, it } from 'vitest';
import { groupByTrack, type ExerciseListItem } from '../../../renderer/src/lib/exercises/types.ts';

const item = (id: string, track: string): ExerciseListItem => ({
  id, title: id, track, trackTitle: track, mode: 'long64', progress: { status: 'not-started', attempts: 0, bestScore: null, maxScore: null },
});

describe('exercise browser: grouping by track', () => {
  it.each([
    ['nothing', [], []],
    ['one track', [item('a', 'ctx'), item('b', 'ctx')], [['ctx', ['a', 'b']]]],
    [
      'tracks in order of first appearance, exercises in their own order',
      [item('s1', 'syscall'), item('c1', 'ctx'), item('s2', 'syscall'), item('c2', 'ctx')],
      [
        ['syscall', ['s1', 's2']],
        ['ctx', ['c1', 'c2']],
      ],
    ],
  ] as const)('%s', (_name, items, expected) => {
    expect(groupByTrack(items).map(({ track, exercises }) => [track, exercises.map((e) => e.id)])).toEqual(expected);
  });
});

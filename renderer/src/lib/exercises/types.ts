import type { MethodResult } from '../../../../backend/api/contract.ts';

/** One exercise as the browser lists it, with the learner's progress. */
export type ExerciseListItem = MethodResult<'exercises.list'>['exercises'][number];
export type ExerciseDetail = MethodResult<'exercises.get'>;

export interface ExerciseTrack {
  track: string;
  title: string;
  exercises: ExerciseListItem[];
}

/** Tracks in the order their first exercise appears; exercises keep their order within a track. */
export function groupByTrack(exercises: readonly ExerciseListItem[]): ExerciseTrack[] {
  const tracks = new Map<string, ExerciseTrack>();
  for (const exercise of exercises) {
    const track = tracks.get(exercise.track) ?? { track: exercise.track, title: exercise.trackTitle || exercise.track, exercises: [] };
    track.exercises.push(exercise);
    tracks.set(exercise.track, track);
  }
  return [...tracks.values()];
}

export function progressLabel(progress: ExerciseListItem['progress']): string {
  if (progress.status === 'not-started') return 'not started';
  const score = progress.bestScore !== null && progress.maxScore !== null ? ` ${progress.bestScore}/${progress.maxScore}` : '';
  return `${progress.status}${score}`;
}

/** One exercise as the browser lists it (the same fields `switchyard list --json` prints). */
export interface ExerciseListItem {
  id: string;
  title: string;
  track: string;
  mode: 'long64' | 'protected32';
}

export interface ExerciseTrack {
  track: string;
  exercises: ExerciseListItem[];
}

/** Tracks in the order their first exercise appears; exercises keep their order within a track. */
export function groupByTrack(exercises: readonly ExerciseListItem[]): ExerciseTrack[] {
  const tracks = new Map<string, ExerciseListItem[]>();
  for (const exercise of exercises) {
    const list = tracks.get(exercise.track) ?? [];
    list.push(exercise);
    tracks.set(exercise.track, list);
  }
  return [...tracks].map(([track, list]) => ({ track, exercises: list }));
}

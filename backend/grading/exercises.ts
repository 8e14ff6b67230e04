/** The Node side of grading one exercise: a pack from disk, prepared once, graded with the real CPU and assembler. */
import { gradeSubmission, prepareExercise, type EnginePorts, type Exercise, type GradeOptions, type GradeResult, type Pack, type PreparedExercise } from '../../exercises/engine/index.ts';
import { realPorts } from '../../exercises/engine/adapters.ts';

let ports: EnginePorts | undefined;
export function enginePorts(): EnginePorts {
  ports ??= realPorts();
  return ports;
}

export function findExercise(pack: Pack, id: string): Exercise | undefined {
  return pack.exercises.find((e) => e.id === id);
}

const prepared = new WeakMap<Exercise, PreparedExercise>();
export function preparedExercise(exercise: Exercise): PreparedExercise {
  let px = prepared.get(exercise);
  if (!px) {
    px = prepareExercise(exercise, enginePorts().assembler);
    prepared.set(exercise, px);
  }
  return px;
}

export function grade(exercise: Exercise, source: string, options: GradeOptions = {}): GradeResult {
  return gradeSubmission(preparedExercise(exercise), source, enginePorts(), options);
}

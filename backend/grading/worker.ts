/** A grading worker thread: loads the pack once, then grades (exercise, source) tasks, reusing one machine per exercise. */
import { parentPort, workerData } from 'node:worker_threads';
import { CaseRunner, type GradeResult } from '../../exercises/engine/index.ts';
import { enginePorts, findExercise, grade, preparedExercise } from './exercises.ts';
import { readPack } from './pack-dir.ts';
import type { TaskOutcome } from './pool.ts';

export interface WorkerInit { packDir: string; seed?: string; includeHidden: boolean }
export interface GradeTask { exercise: string; source: string }

const init = (workerData as { init: WorkerInit }).init;
const pack = readPack(init.packDir);
const runners = new Map<string, CaseRunner>();

parentPort!.on('message', (task: GradeTask) => {
  let outcome: TaskOutcome<GradeResult>;
  try {
    const exercise = findExercise(pack, task.exercise);
    if (!exercise) throw new Error(`no exercise ${task.exercise} in the pack`);
    let runner = runners.get(exercise.id);
    if (!runner) { runner = new CaseRunner(preparedExercise(exercise), enginePorts()); runners.set(exercise.id, runner); }
    const result = grade(exercise, task.source, { runner, includeHidden: init.includeHidden, seed: init.seed === undefined ? undefined : BigInt(init.seed) });
    outcome = { ok: true, value: result };
  } catch (error) {
    outcome = { ok: false, error: `the engine could not grade this submission: ${(error as Error).message}` };
  }
  parentPort!.postMessage(outcome);
});

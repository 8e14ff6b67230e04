import { takeSnapshot } from '../../../emulator/debug/index.ts';
import { caseMachine, ENGINE_VERSION, hex, parseSeed, traceCase, type Exercise, type GradeResult } from '../../../exercises/engine/index.ts';
import { enginePorts, grade, preparedExercise } from '../../grading/exercises.ts';
import type { ExerciseProgress } from '../../store/index.ts';
import { InputError } from '../../store/index.ts';
import type { MethodResult } from '../contract.ts';
import { ApiFailure, type Handlers } from '../dispatch.ts';
import type { LabState } from './lab-state.ts';
import { GPR_NAMES } from '../../../emulator/arch/registers.ts';

type Progress = MethodResult<'exercises.list'>['exercises'][number]['progress'];
type CaseView = NonNullable<MethodResult<'exercises.check'>['failingCase']>;

function progressView(p: ExerciseProgress): Progress {
  return { status: p.status, attempts: p.attempts, bestScore: p.bestScore, maxScore: p.maxScore };
}

function summary(lab: LabState, exercise: Exercise, progress: ExerciseProgress) {
  return {
    id: exercise.id,
    title: exercise.spec.title,
    track: exercise.track ?? '',
    trackTitle: lab.trackTitle(exercise),
    mode: exercise.spec.mode,
    progress: progressView(progress),
  };
}

/** The first failing case of a result, run again whole so the page can show every field by name. */
function traceFirstFailure(exercise: Exercise, source: string, result: GradeResult): CaseView | null {
  const failure = result.checks.find((c) => !c.passed && c.failure)?.failure;
  if (!failure) return null;
  const report = traceCase(preparedExercise(exercise), source, enginePorts(), { seed: parseSeed(result.cases.seed), index: failure.index });
  if (!report.ok) return null;
  return {
    index: report.index,
    seed: report.seed,
    stop: report.stop,
    inputs: report.inputs,
    initial: report.initial ?? {},
    registers: report.registers ?? {},
    structs: report.structs ?? {},
  };
}

/** The store's refusals (a source over its size limit, …) reach the learner as they are. */
function refusingBadInput<T>(write: () => T): T {
  try {
    return write();
  } catch (error) {
    if (error instanceof InputError) throw new ApiFailure(error.message);
    throw error;
  }
}

const REGISTER_NAMES = [...GPR_NAMES, 'rip', 'rflags'] as const;

export function exerciseHandlers(lab: LabState): Pick<Handlers, 'exercises.list' | 'exercises.get' | 'drafts.save' | 'exercises.check' | 'exercises.debugCase'> {
  const progressOf = (id: string) => lab.store.progress(lab.profile.id, [lab.storeKey(id)])[0];
  return {
    'exercises.list': () => {
      const exercises = lab.pack.exercises;
      const progress = lab.store.progress(lab.profile.id, exercises.map((e) => lab.storeKey(e.id)));
      return { exercises: exercises.map((e, i) => summary(lab, e, progress[i])) };
    },
    'exercises.get': ({ id }) => {
      const exercise = lab.exercise(id);
      const draft = lab.store.getDraft(lab.profile.id, lab.storeKey(id));
      return {
        ...summary(lab, exercise, progressOf(id)),
        instructions: exercise.readme,
        starter: exercise.starter,
        entry: exercise.spec.entry,
        hints: exercise.hints,
        symbols: preparedExercise(exercise).learnerSymbols,
        draft: draft ? { source: draft.source, updatedAt: draft.updatedAt } : null,
      };
    },
    'drafts.save': ({ exerciseId, source }) => {
      const exercise = lab.exercise(exerciseId);
      return refusingBadInput(() => ({ updatedAt: lab.store.saveDraft(lab.profile.id, lab.storeKey(exerciseId), source, lab.versionHash(exercise)).updatedAt }));
    },
    'exercises.check': ({ exerciseId, source }) => {
      const exercise = lab.exercise(exerciseId);
      const started = performance.now();
      const result = grade(exercise, source);
      const durationMs = Math.round(performance.now() - started);
      refusingBadInput(() => {
        const key = lab.storeKey(exerciseId);
        lab.store.saveDraft(lab.profile.id, key, source, lab.versionHash(exercise));
        lab.store.recordAttempt(lab.profile.id, { id: key, versionHash: lab.versionHash(exercise) }, source, { ...result, exercise: key }, ENGINE_VERSION, { durationMs });
      });
      return { result, progress: progressView(progressOf(exerciseId)), failingCase: traceFirstFailure(exercise, source, result) };
    },
    'exercises.debugCase': ({ exerciseId, source, index, seed }) => {
      const exercise = lab.exercise(exerciseId);
      const px = preparedExercise(exercise);
      const loaded = caseMachine(px, source, index, seed === undefined ? undefined : parseSeed(seed), enginePorts());
      if (!loaded.ok) {
        const first = loaded.diagnostics[0];
        throw new ApiFailure(`case #${index} cannot run: the file did not assemble${first ? ` (line ${first.line}: ${first.message})` : ''}`);
      }
      const snapshot = takeSnapshot(loaded.machine);
      const registers = Object.fromEntries(REGISTER_NAMES.map((name) => [name, hex(BigInt.asUintN(64, loaded.machine.getRegister(name)))]));
      return {
        program: source,
        lineOffset: 0,
        bits: px.bits,
        mode: exercise.spec.mode,
        ramSize: exercise.spec.ram,
        codeAddress: px.learnerBases['.text'],
        startSymbol: exercise.spec.entry[0],
        registers,
        structs: [...px.regions.values()].filter((r) => r.layout).map((r) => ({
          name: r.name,
          address: r.at,
          fields: r.layout!.fields.map((f) => ({ name: f.name, offset: f.offset, size: f.size })),
        })),
        case: {
          index,
          seed: hex(loaded.seed),
          header: snapshot.header,
          data: Buffer.from(snapshot.data).toString('base64'),
          sources: loaded.learner,
        },
      };
    },
  };
}

/**
 * The check a pack gets before it is installed, from the lab or the command line: the pack's
 * schema, every harness assembling and every name resolving (each problem with its file and line),
 * and every reference solution it carries passing its own exercise. A learner's copy carries no
 * solutions; that alone is not a problem.
 */
import { ExerciseError, gradeSubmission, loadPack, PackError, prepareExercise, type Pack } from '../../exercises/engine/index.ts';
import { enginePorts } from '../grading/exercises.ts';
import type { PackFiles, PackValidation } from '../store/index.ts';

const TEXT_EXTENSIONS = ['.yaml', '.yml', '.md', '.s', '.S', '.asm'];

export interface PackCheck {
  readonly problems: readonly string[];
  readonly pack?: Pack;
}

export function checkPackFiles(files: PackFiles): PackCheck {
  const texts = new Map<string, string>();
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const problems: string[] = [];
  for (const [path, bytes] of files) {
    if (!TEXT_EXTENSIONS.some((e) => path.endsWith(e))) continue;
    try {
      texts.set(path, decoder.decode(bytes));
    } catch {
      problems.push(`${path}: not UTF-8 text`);
    }
  }
  if (problems.length > 0) return { problems };
  let pack: Pack;
  try {
    pack = loadPack(texts, 'pack');
  } catch (error) {
    if (error instanceof PackError) return { problems: error.problems.map((p) => p.replace(/^pack\//, '')) };
    throw error;
  }
  const ports = enginePorts();
  for (const exercise of pack.exercises) {
    try {
      const px = prepareExercise(exercise, ports.assembler);
      if (exercise.solution === undefined) continue;
      const result = gradeSubmission(px, exercise.solution, ports, { minimizeRuns: 0 });
      if (!result.passed) {
        const failed = result.checks.find((c) => !c.passed);
        const where = result.diagnostics[0] ? `:${result.diagnostics[0].line}` : '';
        problems.push(`${exercise.id}/solution.s${where}: the reference solution does not pass its own exercise: ${result.error ?? (failed ? `${failed.name}: ${failed.message}` : 'unknown reason')}`);
      }
    } catch (error) {
      if (error instanceof ExerciseError || error instanceof PackError) problems.push(...error.message.split('\n').map((p) => p.replace(/^pack\//, '')));
      else throw error;
    }
  }
  return problems.length > 0 ? { problems } : { problems, pack };
}

/** The same check in the shape the store's pack import expects. */
export function packValidator(files: PackFiles): PackValidation {
  const { problems, pack } = checkPackFiles(files);
  if (!pack) return { ok: false, error: `${problems.length} problem${problems.length === 1 ? '' : 's'}:\n${problems.map((p) => `  ${p}`).join('\n')}` };
  return {
    ok: true,
    exercises: pack.exercises.map((e) => ({ id: e.id, title: e.spec.title, files: [...files.keys()].filter((p) => p.startsWith(`${e.id}/`)) })),
  };
}

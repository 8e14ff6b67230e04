/** The engine's check of an imported pack file's content, in the shape the progress store's pack import expects. */
import { gradeSubmission, loadPack, PackError, prepareExercise, ExerciseError, type PackFiles } from '../../exercises/engine/index.ts';
import type { PackValidation } from '../store/pack-file.ts';
import { enginePorts } from './exercises.ts';

const TEXT_EXTENSIONS = ['.yaml', '.yml', '.md', '.s', '.S', '.asm'];

/**
 * Valid when the schema holds, every harness assembles, every name in the checks resolves and every
 * reference solution passes its visible cases. Files that are not text the engine reads are ignored.
 */
export function validatePackFiles(files: ReadonlyMap<string, Uint8Array>): PackValidation {
  const texts: PackFiles = new Map();
  const decoder = new TextDecoder('utf-8', { fatal: true });
  for (const [path, bytes] of files) {
    if (!TEXT_EXTENSIONS.some((e) => path.endsWith(e))) continue;
    try { texts.set(path, decoder.decode(bytes)); } catch { return { ok: false, error: `${path}: not UTF-8 text` }; }
  }
  try {
    const pack = loadPack(texts, 'pack');
    const ports = enginePorts();
    for (const exercise of pack.exercises) {
      if (exercise.solution === undefined) return { ok: false, error: `${exercise.origin}/solution.s: missing: a pack needs its reference solutions` };
      const px = prepareExercise(exercise, ports.assembler);
      const result = gradeSubmission(px, exercise.solution, ports, { minimizeRuns: 0 });
      if (!result.passed) {
        const failed = result.checks.find((c) => !c.passed);
        return { ok: false, error: `${exercise.origin}/solution.s does not pass its own exercise: ${result.error ?? (failed ? `${failed.name}: ${failed.message}` : 'unknown reason')}` };
      }
    }
    return {
      ok: true,
      exercises: pack.exercises.map((e) => ({ id: e.id, title: e.spec.title, files: [...files.keys()].filter((p) => p.startsWith(`${e.id}/`)) })),
    };
  } catch (error) {
    if (error instanceof PackError || error instanceof ExerciseError) return { ok: false, error: error.message.split('\n')[0] + (error.message.includes('\n') ? ` (and ${error.message.split('\n').length - 1} more)` : '') };
    throw error;
  }
}

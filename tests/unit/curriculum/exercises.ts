/** Finds the curriculum's exercise folders in the bundled pack and reads them the way the engine does. */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseExerciseSpec } from '../../../exercises/engine/load.ts';
import type { ExerciseSpec } from '../../../exercises/engine/schema.ts';
import { realPorts } from '../../../exercises/engine/adapters.ts';
import { layoutStruct, structSymbols } from '../../../exercises/engine/structs.ts';
import { buildSystem } from '../../../exercises/engine/system.ts';

export const ROOT = resolve(import.meta.dirname, '../../..');
export const PACK_DIR = join(ROOT, 'exercises/pack');

/** The two format examples open the course but come without `mistakes/`; docs/exercise-format.md walks through them. */
export const FORMAT_EXAMPLES = new Set(['save-context', 'callee-saved']);

export type Mistake = ExerciseSpec['mistakes'][number];

export interface CurriculumExercise {
  id: string;
  dir: string;
  spec: ExerciseSpec;
  read(name: string): string;
  has(name: string): boolean;
  mistakes: Mistake[];
}

const folders = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((d) => statSync(join(dir, d)).isDirectory() && existsSync(join(dir, d, 'exercise.yaml'))) : []);

/** Spec files that did not load, with the loader's message; a test reports them. */
export const loadProblems: string[] = [];

/** Every exercise of a pack folder (the bundled pack by default); `withExamples` keeps the two format examples. */
export function curriculumExercises(base = PACK_DIR, withExamples = false): CurriculumExercise[] {
  const out: CurriculumExercise[] = [];
  loadProblems.length = 0;
  for (const id of folders(base)) {
    if (!withExamples && FORMAT_EXAMPLES.has(id)) continue;
    const dir = join(base, id);
    const read = (name: string) => readFileSync(join(dir, name), 'utf8');
    let spec: ExerciseSpec;
    try { spec = parseExerciseSpec(`exercises/pack/${id}/exercise.yaml`, read('exercise.yaml')); } catch (e) { loadProblems.push((e as Error).message); continue; }
    const has = (name: string) => existsSync(join(dir, name));
    out.push({ id, dir, spec, read, has, mistakes: spec.mistakes });
  }
  return out;
}

/** Struct offset symbols (`CTX_RAX`, `CTX_SIZE`) and region addresses, as the engine computes them. */
export function specSymbols(spec: ExerciseSpec): { structs: Record<string, number>; regions: Record<string, number>; exposed: Record<string, number> } {
  const structs: Record<string, number> = {};
  const layouts = new Map(Object.entries(spec.types).map(([name, t]) => [name, layoutStruct(name, t.fields, t.prefix)]));
  for (const layout of layouts.values()) Object.assign(structs, structSymbols(layout));
  const regions: Record<string, number> = {};
  const exposed: Record<string, number> = {};
  for (const [name, r] of Object.entries(spec.memory)) {
    regions[name] = r.at;
    if (r.expose) exposed[name] = r.at;
  }
  // The machine's building blocks are regions too, for the harness only.
  for (const r of buildSystem(spec, realPorts().assembler).regions) {
    regions[r.name] = r.at;
    if (r.layout) Object.assign(structs, structSymbols(r.layout));
  }
  return { structs, regions, exposed };
}

// Engine figures: randomized cases graded per second on one core, and a class of 300 graded on all cores.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { realPorts } from '../../../exercises/engine/adapters.ts';
import { CaseRunner, gradeSubmission, prepareExercise } from '../../../exercises/engine/index.ts';
import { gradeBatch } from '../../../backend/grading/batch.ts';
import { readPack } from '../../../backend/grading/pack-dir.ts';
import { discoverSubmissions } from '../../../backend/grading/submissions.ts';
import type { Figure } from '../figure.ts';

const PACK = resolve(dirname(fileURLToPath(import.meta.url)), '../../../exercises/pack');
const CASES = 3000;

/**
 * One full context save and restore per case: trap-common's entry builds a frame of every
 * general register, calls the handler, restores them all from the frame and returns with IRETQ.
 */
const SAVE_AND_RESTORE = 'trap-common';

/** A system exercise: preemptive round-robin between ring-3 tasks (timer interrupts, a context switch per tick, IRETQ back to ring 3). */
const SCHEDULER = 'round-robin';

async function casesPerSecond(id = SAVE_AND_RESTORE): Promise<number> {
  const ports = realPorts();
  const exercise = readPack(PACK).exercises.find((e) => e.id === id)!;
  const px = prepareExercise({ ...exercise, spec: { ...exercise.spec, cases: CASES } }, ports.assembler);
  const runner = new CaseRunner(px, ports);
  gradeSubmission(px, exercise.solution!, ports, { runner, seed: 1n });
  const started = performance.now();
  const result = gradeSubmission(px, exercise.solution!, ports, { runner, seed: 2n });
  const seconds = (performance.now() - started) / 1000;
  if (!result.passed) throw new Error('the reference solution failed during the benchmark');
  return CASES / seconds;
}

/** Ten distinct exercises of the bundled pack, across its tracks and both modes. */
export const CLASS = [
  'save-context',
  'restore-iretq',
  'switch-to',
  'thread-start',
  'isr-stubs',
  'trap-common',
  'ud-handler',
  'syscall-entry',
  'pushad-switch',
  'iretd-enter-user',
];

/**
 * What a class hands in for one exercise: right answers, the untouched starter, each of the
 * exercise's documented mistakes (or, without `mistakes/`, the solution less one line), a runaway
 * loop, and files that do not assemble.
 */
function submissionsFor(exerciseDir: string, entry: string, solution: string, starter: string): string[] {
  const mistakesDir = join(exerciseDir, 'mistakes');
  const mistakes = existsSync(mistakesDir)
    ? readdirSync(mistakesDir)
        .filter((f) => f.endsWith('.s'))
        .sort()
        .map((f) => readFileSync(join(mistakesDir, f), 'utf8'))
    : [];
  const lines = solution.split('\n');
  const store = lines.findIndex((l) => /^\s+(mov|push)/i.test(l));
  const wrong = mistakes.length ? mistakes : [lines.filter((_, i) => i !== store).join('\n')];
  return [solution, solution, solution, starter, ...wrong, `.globl ${entry}\n${entry}:\n1:  jmp 1b\n`, `${solution}\n    this is not an instruction\n`];
}

export function buildClass(root: string): string {
  const packDir = join(root, 'pack');
  const byId = new Map(readPack(PACK).exercises.map((e) => [e.id, e]));
  const variants = new Map<string, string[]>();
  for (const id of CLASS) {
    const exercise = byId.get(id);
    if (!exercise) throw new Error(`the benchmark class needs ${id}, which the bundled pack does not have`);
    cpSync(join(PACK, id), join(packDir, id), { recursive: true });
    variants.set(id, submissionsFor(join(PACK, id), exercise.spec.entry[0], exercise.solution!, exercise.starter));
  }
  writeFileSync(join(packDir, 'pack.yaml'), stringify({ id: 'bench', title: 'Benchmark class', tracks: [{ id: 'all', title: 'All', exercises: CLASS }] }));
  const subs = join(root, 'submissions');
  for (let s = 0; s < 300; s++) {
    const dir = join(subs, `student-${String(s).padStart(3, '0')}`);
    mkdirSync(dir, { recursive: true });
    CLASS.forEach((id, e) => {
      const options = variants.get(id)!;
      writeFileSync(join(dir, `${id}.s`), options[(s * 7 + e * 3) % options.length]);
    });
  }
  return packDir;
}

async function batchSeconds(): Promise<number> {
  const root = mkdtempSync(join(tmpdir(), 'switchyard-bench-'));
  try {
    const packDir = buildClass(root);
    const pack = readPack(packDir);
    const submissions = discoverSubmissions(
      join(root, 'submissions'),
      pack.exercises.map((e) => e.id),
    );
    const started = performance.now();
    const report = await gradeBatch({ packDir, pack, exercises: pack.exercises, submissions, jobs: availableParallelism() });
    const seconds = (performance.now() - started) / 1000;
    const graded = report.students.reduce((n, s) => n + s.exercises.length, 0);
    if (graded !== 3000) throw new Error(`graded ${graded} of 3000`);
    return seconds;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

export const figures: Figure[] = [
  { name: 'engine.cases_per_s', unit: 'cases/s', runs: 5, measure: () => casesPerSecond() },
  { name: 'engine.system_cases_per_s', unit: 'cases/s', runs: 5, measure: () => casesPerSecond(SCHEDULER) },
  { name: 'engine.batch_300x10_s', unit: 's', runs: 3, measure: batchSeconds },
];

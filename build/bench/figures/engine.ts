// Engine figures: randomized cases graded per second on one core, and a class of 300 graded on all cores.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { realPorts } from '../../../exercises/engine/adapters.ts';
import { CaseRunner, gradeSubmission, prepareExercise } from '../../../exercises/engine/index.ts';
import { gradeBatch } from '../../../electron/grading/batch.ts';
import { readPack } from '../../../electron/grading/pack-dir.ts';
import { discoverSubmissions } from '../../../electron/grading/submissions.ts';
import type { Figure } from '../figure.ts';

const PACK = resolve(dirname(fileURLToPath(import.meta.url)), '../../../exercises/pack');
const CASES = 3000;

async function casesPerSecond(): Promise<number> {
  const ports = realPorts();
  const exercise = readPack(PACK).exercises.find((e) => e.id === 'save-context')!;
  const px = prepareExercise({ ...exercise, spec: { ...exercise.spec, cases: CASES } }, ports.assembler);
  const runner = new CaseRunner(px, ports);
  gradeSubmission(px, exercise.solution!, ports, { runner, seed: 1n });
  const started = performance.now();
  const result = gradeSubmission(px, exercise.solution!, ports, { runner, seed: 2n });
  const seconds = (performance.now() - started) / 1000;
  if (!result.passed) throw new Error('the reference solution failed during the benchmark');
  return CASES / seconds;
}

/**
 * Ten exercises: the bundled pack's first ten, or, while it has fewer, renamed copies of them in
 * turn (with the two format examples alone that is five copies of each, 120 to 200 cases each).
 * Every student hands in a mix of right answers, starters, missing and swapped stores, runaway
 * loops and files that do not assemble.
 */
function buildClass(root: string): string {
  const packDir = join(root, 'pack');
  const source = readPack(PACK).exercises;
  const ids: string[] = [];
  const variants = new Map<string, string[]>();
  for (let n = 0; n < 10; n++) {
    const exercise = source[n % source.length];
    const id = n < source.length ? exercise.id : `${exercise.id}-${Math.floor(n / source.length)}`;
    ids.push(id);
    cpSync(join(PACK, exercise.id), join(packDir, id), { recursive: true });
    const specPath = join(packDir, id, 'exercise.yaml');
    writeFileSync(specPath, readFileSync(specPath, 'utf8').replace(`id: ${exercise.id}`, `id: ${id}`));
    const solution = exercise.solution!;
    const lines = solution.split('\n');
    const store = lines.findIndex((l) => /^\s+(mov|push)/i.test(l));
    variants.set(id, [
      solution,
      solution,
      exercise.starter,
      lines.filter((_, i) => i !== store).join('\n'),
      solution.replace(/r12/g, 'r13'),
      solution.replace(/\bret\b/, '1: jmp 1b'),
      `${solution}\n    movq %rax, (%rdi\n`,
    ]);
  }
  writeFileSync(join(packDir, 'pack.yaml'), stringify({ id: 'bench', title: 'Benchmark class', tracks: [{ id: 'all', title: 'All', exercises: ids }] }));
  const subs = join(root, 'submissions');
  for (let s = 0; s < 300; s++) {
    const dir = join(subs, `student-${String(s).padStart(3, '0')}`);
    mkdirSync(dir, { recursive: true });
    ids.forEach((id, e) => {
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
    const submissions = discoverSubmissions(join(root, 'submissions'), pack.exercises.map((e) => e.id));
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
  { name: 'engine.cases_per_s', unit: 'cases/s', runs: 5, measure: casesPerSecond },
  { name: 'engine.batch_300x10_s', unit: 's', runs: 3, measure: batchSeconds },
];

// The generated Gradescope autograder, run as Gradescope runs it: one fresh run_autograder per submission.
// The archive carries the built command line, so it is built first (this file runs in a process of its own).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gradescopeArchive } from '../../../backend/cli/autograder/gradescope.ts';
import { buildCli } from '../../scripts/build-lib.mjs';
import type { Figure } from '../figure.ts';
import { buildClass } from './engine.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const STUDENTS = 300;

let seconds: number[] | undefined;

/** Grades the 300-student class of engine.batch_300x10_s one submission at a time through run_autograder. */
async function gradeClass(): Promise<number[]> {
  if (seconds) return seconds;
  await buildCli();
  const work = mkdtempSync(join(tmpdir(), 'switchyard-bench-autograder-'));
  try {
    const packDir = buildClass(work);
    const zip = join(work, 'autograder.zip');
    writeFileSync(zip, gradescopeArchive({ packDir, hiddenVisibility: 'after_published' }).zip);
    const root = join(work, 'autograder');
    mkdirSync(join(root, 'source'), { recursive: true });
    execFileSync('unzip', ['-q', zip, '-d', join(root, 'source')]);
    execFileSync('bash', [join(root, 'source/setup.sh')], {
      env: { ...process.env, SWITCHYARD_AUTOGRADER_OFFLINE: '1', SWITCHYARD_AUTOGRADER_NODE_MODULES: join(ROOT, 'node_modules') },
      stdio: 'ignore',
    });
    const times: number[] = [];
    for (let s = 0; s < STUDENTS; s++) {
      rmSync(join(root, 'submission'), { recursive: true, force: true });
      rmSync(join(root, 'results'), { recursive: true, force: true });
      mkdirSync(join(root, 'results'));
      symlinkSync(join(work, 'submissions', `student-${String(s).padStart(3, '0')}`), join(root, 'submission'));
      const started = performance.now();
      const run = spawnSync(join(root, 'source/run_autograder'), { env: { ...process.env, AUTOGRADER_ROOT: root }, encoding: 'utf8' });
      times.push((performance.now() - started) / 1000);
      if (run.status !== 0) throw new Error(`run_autograder failed for student ${s} (exit ${run.status}): ${run.stderr}`);
      const results = JSON.parse(readFileSync(join(root, 'results/results.json'), 'utf8')) as { tests: unknown[] };
      if (results.tests.length === 0) throw new Error(`run_autograder wrote no tests for student ${s}`);
    }
    seconds = times;
    return times;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export const figures: Figure[] = [
  { name: 'engine.autograder_submission_s', unit: 's', runs: 1, measure: async () => median(await gradeClass()) },
  { name: 'engine.autograder_submission_max_s', unit: 's', runs: 1, measure: async () => Math.max(...(await gradeClass())) },
];

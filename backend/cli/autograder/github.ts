/**
 * A GitHub Classroom template: the workflow (one command-grader runner per exercise, then the
 * grading reporter), this exact Switchyard and the learner's copy of the pack under .switchyard/,
 * and a starter `<exercise>.s` per exercise at the top, where the learner works.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';
import { learnerCopy, type Pack } from '../../../exercises/engine/index.ts';
import { maxScoreOf } from '../../grading/batch.ts';
import { readPackFiles } from '../../grading/pack-dir.ts';
import { appFiles } from './app-files.ts';

const COMMAND_GRADER = 'classroom-resources/autograding-command-grader@v1';
const GRADING_REPORTER = 'classroom-resources/autograding-grading-reporter@v1';
const APP_DIR = '.switchyard/app';
export const PACK_DIR = '.switchyard/pack';

/** The reporter reads each runner's result from the variable `<RUNNER ID in capitals>_RESULTS`. */
const resultsVariable = (runner: string) => `${runner.toUpperCase()}_RESULTS`;

export function workflow(pack: Pack, timeoutMinutes = 5): string {
  const runners = pack.exercises.map((e) => ({
    name: e.spec.title,
    id: e.id,
    uses: COMMAND_GRADER,
    with: {
      'test-name': `${e.id}: ${e.spec.title}`,
      'setup-command': '',
      command: `node ${APP_DIR}/bin/switchyard.mjs check ${e.id} ${e.id}.s --pack ${PACK_DIR}`,
      timeout: timeoutMinutes,
      'max-score': maxScoreOf(e, false),
    },
  }));
  const doc = {
    name: 'Autograding Tests',
    on: ['push', 'repository_dispatch', 'workflow_dispatch'],
    permissions: { checks: 'write', actions: 'read', contents: 'read' },
    jobs: {
      'run-autograding-tests': {
        'runs-on': 'ubuntu-latest',
        if: "github.actor != 'github-classroom[bot]'",
        steps: [
          { name: 'Checkout code', uses: 'actions/checkout@v4' },
          { name: 'Set up Node', uses: 'actions/setup-node@v4', with: { 'node-version': 22 } },
          { name: 'Install Switchyard', 'working-directory': APP_DIR, run: 'npm ci --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund' },
          ...runners,
          {
            name: 'Autograding Reporter',
            uses: GRADING_REPORTER,
            env: Object.fromEntries(pack.exercises.map((e) => [resultsVariable(e.id), `\${{steps.${e.id}.outputs.result}}`])),
            with: { runners: pack.exercises.map((e) => e.id).join(',') },
          },
        ],
      },
    },
  };
  return stringify(doc, { lineWidth: 0 });
}

export function writeGithubTemplate(packDir: string, pack: Pack, out: string): { files: number; starters: string[] } {
  let files = 0;
  const write = (path: string, data: Uint8Array | string) => {
    mkdirSync(dirname(join(out, path)), { recursive: true });
    writeFileSync(join(out, path), data);
    files++;
  };
  write('.github/workflows/classroom.yml', workflow(pack));
  for (const [path, data] of appFiles()) write(`${APP_DIR}/${path}`, data);
  // The repository is the learner's: it carries no reference solutions and no hidden checks.
  for (const [path, text] of learnerCopy(readPackFiles(packDir))) write(`${PACK_DIR}/${path}`, text);
  const starters: string[] = [];
  for (const e of pack.exercises) {
    if (existsSync(join(out, `${e.id}.s`))) continue;
    write(`${e.id}.s`, e.starter);
    starters.push(`${e.id}.s`);
  }
  return { files, starters };
}

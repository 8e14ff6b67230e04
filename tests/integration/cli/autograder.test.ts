/**
 * The generated autograders, run the way each engine runs them: the Gradescope archive unzipped
 * into a root laid out as Gradescope lays it out, and the GitHub Classroom workflow's steps run
 * as the command grader runs them, each output checked against what the engine reads.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildCli } from '../../../build/scripts/build-lib.mjs';
import { cli, packFile, PACK, ROOT, scratch } from './helpers.ts';

// An autograder ships the bundled command line, so this file builds it (a no-op when it is current).
await buildCli();

const solution = (id: string) => packFile(id, 'solution.s');
const starter = (id: string) => packFile(id, 'starter.s');

/** Gradescope's results.json as its autograder specification documents it. */
const visibility = z.enum(['hidden', 'after_due_date', 'after_published', 'visible']);
const gradescopeResults = z.strictObject({
  score: z.number().optional(),
  execution_time: z.number().optional(),
  output: z.string().optional(),
  output_format: z.enum(['text', 'html', 'simple_format', 'md', 'ansi']).optional(),
  test_output_format: z.enum(['text', 'html', 'simple_format', 'md', 'ansi']).optional(),
  test_name_format: z.enum(['text', 'html', 'simple_format', 'md', 'ansi']).optional(),
  visibility: visibility.optional(),
  stdout_visibility: visibility.optional(),
  extra_data: z.record(z.string(), z.unknown()).optional(),
  tests: z.array(z.strictObject({
    score: z.number().optional(),
    max_score: z.number().optional(),
    status: z.enum(['passed', 'failed']).optional(),
    name: z.string().optional(),
    name_format: z.string().optional(),
    number: z.string().optional(),
    output: z.string().optional(),
    output_format: z.string().optional(),
    tags: z.array(z.string()).optional(),
    visibility: visibility.optional(),
    extra_data: z.record(z.string(), z.unknown()).optional(),
  })).optional(),
  leaderboard: z.array(z.strictObject({ name: z.string(), value: z.union([z.number(), z.string()]), order: z.enum(['asc', 'desc']).optional() })).optional(),
}).refine((r) => r.score !== undefined || (r.tests ?? []).every((t) => t.score !== undefined), 'score is required unless every test has one');

/** One runner's result as GitHub Classroom's grading reporter reads it (base64 JSON in <RUNNER>_RESULTS). */
const runnerResult = z.strictObject({
  version: z.literal(1),
  status: z.enum(['pass', 'fail', 'error']),
  max_score: z.number().nonnegative(),
  tests: z.array(z.strictObject({
    name: z.string().min(1),
    status: z.enum(['pass', 'fail', 'error']),
    score: z.number().nonnegative(),
    message: z.string(),
    test_code: z.string(),
    filename: z.string(),
    line_no: z.number().int(),
    duration: z.number().nonnegative(),
  })).min(1),
});

const sum = (ns: number[]) => ns.reduce((a, b) => a + b, 0);

describe('switchyard autograder gradescope', async () => {
  const work = scratch('gradescope');
  const zip = join(work, 'autograder.zip');
  const made = await cli('autograder', 'gradescope', '--pack', PACK, '--out', zip, '--hidden-visibility', 'hidden', '--json');
  const root = join(work, 'autograder');
  mkdirSync(join(root, 'source'), { recursive: true });
  execFileSync('unzip', ['-q', zip, '-d', join(root, 'source')]);
  const setup = spawnSync('bash', [join(root, 'source/setup.sh')], {
    encoding: 'utf8', env: { ...process.env, SWITCHYARD_AUTOGRADER_OFFLINE: '1', SWITCHYARD_AUTOGRADER_NODE_MODULES: join(ROOT, 'node_modules') },
  });

  function grade(files: Record<string, string>) {
    rmSync(join(root, 'submission'), { recursive: true, force: true });
    rmSync(join(root, 'results'), { recursive: true, force: true });
    mkdirSync(join(root, 'results'), { recursive: true });
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(root, 'submission', path, '..'), { recursive: true });
      writeFileSync(join(root, 'submission', path), text);
    }
    mkdirSync(join(root, 'submission'), { recursive: true });
    const run = spawnSync(join(root, 'source/run_autograder'), { encoding: 'utf8', env: { ...process.env, AUTOGRADER_ROOT: root }, timeout: 60_000 });
    expect(run.status, run.stderr).toBe(0);
    const results = gradescopeResults.parse(JSON.parse(readFileSync(join(root, 'results/results.json'), 'utf8')));
    const tests = results.tests ?? [];
    return { results, tests, max: sum(tests.map((t) => t.max_score ?? 0)) };
  }

  it('is a zip with setup.sh and run_autograder at its root, the pack and this Switchyard', () => {
    expect(made.code, made.stderr).toBe(0);
    expect(JSON.parse(made.stdout)).toMatchObject({ exercises: ['save-context', 'callee-saved'], hiddenVisibility: 'hidden' });
    for (const path of ['setup.sh', 'run_autograder', 'pack/pack.yaml', 'pack/save-context/solution.s', 'switchyard/bin/switchyard.mjs', 'switchyard/package-lock.json']) {
      expect(existsSync(join(root, 'source', path)), path).toBe(true);
    }
    const shipped = JSON.parse(readFileSync(join(root, 'source/switchyard/package.json'), 'utf8')) as { version: string };
    expect(shipped.version).toBe((JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version);
    expect(setup.status, setup.stderr).toBe(0);
    expect(setup.stdout).toMatch(/Switchyard \S+ ready/);
  });

  it('gives full marks to correct files and hides hidden checks as the instructor chose', () => {
    const { results, tests, max } = grade({ 'save-context.s': solution('save-context'), 'callee-saved.s': solution('callee-saved') });
    expect(max).toBeGreaterThan(0);
    expect(results.score).toBe(max);
    expect(tests.every((t) => t.status === 'passed')).toBe(true);
    const hidden = tests.filter((t) => t.visibility === 'hidden');
    expect(hidden.length).toBeGreaterThan(0);
    expect(tests.filter((t) => t.visibility !== 'hidden').every((t) => t.visibility === 'visible')).toBe(true);
  });

  it('grades a submission bundle as the files it holds, also inside a folder', () => {
    const bundle = JSON.stringify({
      format: 'switchyard-submission/1', student: { name: 'Ada', id: null }, createdAt: '2026-01-01T00:00:00.000Z', engineVersion: null,
      exercises: ['save-context', 'callee-saved'].map((id) => ({ id, source: solution(id), origin: 'draft', versionHash: null, savedAt: '2026-01-01T00:00:00.000Z', selfCheck: null })),
    });
    const { results, max } = grade({ 'upload/ada.json': bundle });
    expect(results.score).toBe(max);
  });

  it('gives partial or no marks to wrong, non-assembling and endless files, saying why', () => {
    const wrong = grade({ 'save-context.s': starter('save-context'), 'callee-saved.s': solution('callee-saved') });
    expect(wrong.results.score).toBeLessThan(wrong.max);
    expect(wrong.tests.some((t) => t.name?.startsWith('save-context') && t.status === 'failed' && (t.output ?? '') !== '')).toBe(true);

    const broken = grade({ 'save-context.s': '.globl save_context\nsave_context:\n  movq %rax,, 8(%rdi)\n', 'callee-saved.s': solution('callee-saved') });
    const brokenTests = broken.tests.filter((t) => t.name?.startsWith('save-context'));
    expect(brokenTests.every((t) => t.score === 0)).toBe(true);
    expect(brokenTests.some((t) => /line 3/.test(t.output ?? ''))).toBe(true);

    const endless = grade({ 'save-context.s': '.globl save_context\nsave_context:\n1:  jmp 1b\n' });
    const loopTests = endless.tests.filter((t) => t.name?.startsWith('save-context'));
    expect(loopTests.every((t) => t.score === 0)).toBe(true);
    expect(loopTests.some((t) => /budget/.test(t.output ?? ''))).toBe(true);
    expect(endless.tests.filter((t) => t.name?.startsWith('callee-saved')).every((t) => /not submitted/.test(t.output ?? ''))).toBe(true);
  });

  it('writes a zero score with an explanation for an empty upload', () => {
    const { results, max } = grade({});
    expect(max).toBeGreaterThan(0);
    expect(results.score).toBe(0);
    expect(results.output).toMatch(/Nothing to grade was found.*save-context\.s, callee-saved\.s/);
  });
});

describe('switchyard autograder github', async () => {
  const out = join(scratch('classroom'), 'template');
  const made = await cli('autograder', 'github', '--pack', PACK, '--out', out);
  const workflowText = readFileSync(join(out, '.github/workflows/classroom.yml'), 'utf8');
  const workflow = parseYaml(workflowText) as { jobs: Record<string, { steps: { id?: string; uses?: string; run?: string; 'working-directory'?: string; env?: Record<string, string>; with?: Record<string, string | number> }[] }> };
  const steps = Object.values(workflow.jobs)[0].steps;

  it('writes the workflow, one command-grader runner per exercise and the reporter, with nothing to fill in', () => {
    expect(made.code, made.stderr).toBe(0);
    const runners = steps.filter((s) => s.uses === 'classroom-resources/autograding-command-grader@v1');
    expect(runners.map((s) => s.id)).toEqual(['save-context', 'callee-saved']);
    const reporter = steps.find((s) => s.uses === 'classroom-resources/autograding-grading-reporter@v1')!;
    expect(reporter.with?.runners).toBe('save-context,callee-saved');
    expect(Object.keys(reporter.env ?? {})).toEqual(['SAVE-CONTEXT_RESULTS', 'CALLEE-SAVED_RESULTS']);
    expect(workflowText).not.toMatch(/example\.com|<[A-Z_ -]+>|TODO|YOUR[_-]/i);
    expect(existsSync(join(out, 'save-context.s'))).toBe(true);
    // The repository is the learner's: no reference solutions.
    expect(existsSync(join(out, '.switchyard/pack/save-context/solution.s'))).toBe(false);
  });

  it('runs its steps as GitHub Actions would, and every runner reports what the reporter reads', () => {
    writeFileSync(join(out, 'save-context.s'), solution('save-context'));
    writeFileSync(join(out, 'callee-saved.s'), starter('callee-saved'));
    symlinkSync(join(ROOT, 'node_modules'), join(out, '.switchyard/app/node_modules'));
    const outputs = new Map<string, string>();
    for (const step of steps) {
      if (step.run && step.run.startsWith('npm ci')) continue; // the network install; node_modules is linked instead
      if (step.uses !== 'classroom-resources/autograding-command-grader@v1') continue;
      const maxScore = Number(step.with!['max-score']);
      const started = performance.now();
      const run = spawnSync('bash', ['-c', String(step.with!.command)], { cwd: out, encoding: 'utf8', timeout: Number(step.with!.timeout) * 60_000 });
      const status = run.status === 0 ? 'pass' : 'fail';
      const result = {
        version: 1, status, max_score: maxScore,
        tests: [{ name: String(step.with!['test-name']), status, score: status === 'pass' ? maxScore : 0, message: status === 'pass' ? '' : run.stdout + run.stderr, test_code: '', filename: '', line_no: 0, duration: Math.round(performance.now() - started) }],
      };
      outputs.set(step.id!, Buffer.from(JSON.stringify(result)).toString('base64'));
    }
    const reporter = steps.find((s) => s.uses === 'classroom-resources/autograding-grading-reporter@v1')!;
    const env = Object.fromEntries(Object.entries(reporter.env!).map(([k, v]) => [k, v.replace(/\$\{\{\s*steps\.([\w-]+)\.outputs\.result\s*\}\}/, (_m, id: string) => outputs.get(id) ?? '')]));
    const results = String(reporter.with!.runners).split(',').map((runner) => runnerResult.parse(JSON.parse(Buffer.from(env[`${runner.toUpperCase()}_RESULTS`], 'base64').toString('utf8'))));
    expect(results.map((r) => r.status)).toEqual(['pass', 'fail']);
    expect(results[0].tests[0].score).toBe(results[0].max_score);
    expect(results[1].tests[0].message).toMatch(/FAIL/);
  });
});

it('refuses a missing pack and a bad visibility with usage errors', async () => {
  expect((await cli('autograder', 'gradescope', '--pack', join(scratch('none'), 'nope'), '--out', join(scratch('o'), 'a.zip'))).code).toBe(2);
  const bad = await cli('autograder', 'gradescope', '--pack', PACK, '--out', 'x.zip', '--hidden-visibility', 'never');
  expect(bad.code).toBe(2);
  expect(bad.stderr).toMatch(/--hidden-visibility must be one of hidden, after_due_date, after_published, visible/);
});

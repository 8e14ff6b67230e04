import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, cliWith, packFile, PACK, ROOT, scratch, tree } from './helpers.ts';

const solution = (id: string) => packFile(id, 'solution.s');
const starter = (id: string) => packFile(id, 'starter.s');

function classDir(): string {
  const dir = tree('class', {
    'alice/save-context.s': solution('save-context'),
    'alice/callee-saved.s': solution('callee-saved'),
    'bob/save-context.s': solution('save-context').replace('mov [rdi + CTX_R12], r12', 'mov [rdi + CTX_R12], rbp'),
    'bob/callee-saved.s': starter('callee-saved'),
    'carol/save-context.s': '.globl save_context\nsave_context:\n1:  jmp 1b\n',
    'carol/callee-saved.s': Uint8Array.from({ length: 4096 }, (_, i) => (i * 37) & 0xff),
    'dave/save-context.s': '',
    'erin/callee-saved.s': Uint8Array.of(0x6d, 0x6f, 0x76, 0xe9, 0x0a),
    'frank.json': JSON.stringify({
      format: 'switchyard-submission/1', student: { name: 'Frank', id: 'f42' }, createdAt: '2026-01-01T00:00:00.000Z', engineVersion: '1.0.0',
      exercises: [{ id: 'callee-saved', source: solution('callee-saved'), origin: 'best-attempt', versionHash: null, savedAt: '2026-01-01T00:00:00.000Z', selfCheck: null }],
    }),
  });
  writeFileSync(join(dir, 'gina.json'), '');
  truncateSync(join(dir, 'gina.json'), 50 * 1024 * 1024);
  mkdirSync(join(dir, 'hank'));
  writeFileSync(join(dir, 'hank/save-context.s'), '');
  truncateSync(join(dir, 'hank/save-context.s'), 50 * 1024 * 1024);
  return dir;
}

describe('switchyard grade', () => {
  const submissions = classDir();
  const out = scratch('out');

  it('grades a class with hostile submissions, each reported as its own error, as JSON', async () => {
    const r = await cli('grade', '--pack', PACK, '--submissions', submissions, '--format', 'json', '--out', join(out, 'grades.json'), '--jobs', '2');
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^graded 8 submissions × 2 exercises in [0-9.]+ s; 6 with errors; wrote /);
    const report = JSON.parse(readFileSync(join(out, 'grades.json'), 'utf8'));
    expect(report.format).toBe('switchyard-grades/1');
    const table = Object.fromEntries(report.submissions.map((s: { student: string; score: number; exercises: { exercise: string; status: string; error?: string }[] }) => [s.student,
      Object.fromEntries(s.exercises.map((e) => [e.exercise, e.error ? `${e.status}: ${e.error.replace(submissions, '…')}` : e.status])), ]));
    expect(table).toEqual({
      alice: { 'save-context': 'pass', 'callee-saved': 'pass' },
      bob: { 'save-context': 'fail', 'callee-saved': 'fail' },
      carol: {
        'save-context': 'error: case #0 ran past its budget of 2000 instructions: is there a loop that never ends, or a jump back into the harness?',
        'callee-saved': 'error: …/carol/callee-saved.s: binary data (NUL bytes), not assembly source text',
      },
      dave: { 'save-context': 'error: …/dave/save-context.s: the file is empty', 'callee-saved': 'error: …/dave/callee-saved.s: not submitted' },
      erin: { 'save-context': 'error: …/erin/save-context.s: not submitted', 'callee-saved': 'error: …/erin/callee-saved.s: not UTF-8 text; save the file as UTF-8' },
      'Frank (f42)': { 'save-context': 'error: …/frank.json: the bundle has no source for save-context', 'callee-saved': 'pass' },
      gina: {
        'save-context': 'error: …/gina.json: 52428800 bytes is larger than the 16777216-byte limit for a submission bundle',
        'callee-saved': 'error: …/gina.json: 52428800 bytes is larger than the 16777216-byte limit for a submission bundle',
      },
      hank: { 'save-context': 'error: …/hank/save-context.s: 52428800 bytes is larger than the 262144-byte limit for a source file', 'callee-saved': 'error: …/hank/callee-saved.s: not submitted' },
    });
    const bob = report.submissions.find((s: { student: string }) => s.student === 'bob');
    expect(bob.exercises[0].checks[0].message).toContain('ctx.r12 (offset 0x60) holds 0xffffffffffffffff, expected 0x0 (in.r12): that is the value rbp had at the start, so rbp went where ctx.r12 belongs');
    expect(report.submissions[0]).toMatchObject({ student: 'alice', score: 23, maxScore: 23 });
  });

  it('writes CSV, one row per student and exercise plus totals', async () => {
    const r = await cli('grade', '--pack', PACK, '--submissions', submissions, '--format', 'csv', '--out', join(out, 'grades.csv'), '--exercises', 'callee-saved');
    expect(r.code).toBe(0);
    const lines = readFileSync(join(out, 'grades.csv'), 'utf8').trimEnd().split('\r\n');
    expect(lines[0]).toBe('student,exercise,status,score,max_score,failed_cases,total_cases,first_failure');
    expect(lines[1]).toBe('alice,callee-saved,pass,10,10,0,120,');
    expect(lines[2]).toBe('alice,TOTAL,pass,10,10,,,');
    expect(lines[3]).toMatch(/^bob,callee-saved,fail,7,10,120,120,"?callee-saved registers preserved: rbx was 0x/);
    expect(lines).toHaveLength(1 + 8 * 2);
  });

  it('draws a progress bar on stderr only when stderr is a terminal', async () => {
    const args = ['grade', '--pack', PACK, '--submissions', submissions, '--format', 'json', '--out', join(out, 'p.json'), '--exercises', 'callee-saved'];
    const tty = await cliWith(true, args);
    expect(tty.stderr).toContain('\r[##############################] 8/8\n');
    expect((await cli(...args)).stderr).not.toContain('\r[');
  });

  it('writes JUnit XML with failures and errors apart', async () => {
    await cli('grade', '--pack', PACK, '--submissions', submissions, '--format', 'junit', '--out', join(out, 'grades.xml'), '--exercises', 'save-context');
    const xml = readFileSync(join(out, 'grades.xml'), 'utf8');
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="switchyard switchyard-core" tests="56" failures="1" errors="42">')).toBe(true);
    expect(xml).toContain('<testsuite name="alice" tests="7" failures="0" errors="0">');
    expect(xml).toContain('<testcase classname="bob.save-context" name="general registers saved by field">\n      <failure message="ctx.r12 (offset 0x60) holds');
    expect(xml).toContain('<error message="case #0 ran past its budget of 2000 instructions');
  });

  it.each([
    [['grade', '--submissions', 'x', '--format', 'json', '--out', 'y'], 'switchyard grade: --pack is required'],
    [['grade', '--pack', PACK, '--submissions', 'x', '--format', 'xml', '--out', 'y'], "switchyard grade: --format must be one of json, csv, junit, gradescope, github, got 'xml'"],
    [['grade', '--pack', PACK, '--submissions', '/nonexistent', '--format', 'json', '--out', 'y'], 'switchyard grade: /nonexistent: no such submissions directory'],
    [['grade', '--pack', PACK, '--submissions', 'x', '--format', 'json', '--out', 'y', '--exercises', 'nope'], 'switchyard grade: --exercises: no exercise nope in the pack (known: save-context, callee-saved)'],
    [['grade', '--pack', PACK, '--submissions', 'x', '--json', '--format', 'csv'], 'switchyard grade: --json is --format json; it cannot be combined with --format csv'],
  ])('%j is a usage error', async (argv, message) => {
    const r = await cli(...argv);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe(message);
  });

  it('--json writes the JSON report to standard output', async () => {
    const r = await cli('grade', '--pack', PACK, '--submissions', submissions, '--exercises', 'callee-saved', '--json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.format).toBe('switchyard-grades/1');
    expect(report.submissions.map((s: { student: string }) => s.student)).toContain('alice');
    expect(r.stderr).toMatch(/wrote standard output/);
  });

  it('refuses a one-submission format for a whole class', async () => {
    const r = await cli('grade', '--pack', PACK, '--submissions', submissions, '--format', 'gradescope', '--out', join(out, 'r.json'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--format gradescope describes one submission, but');
  });
});

describe('autograder layouts', () => {
  it('runs as a Gradescope autograder: /autograder/submission → /autograder/results/results.json', () => {
    const root = tree('gradescope', {
      'autograder/submission/save-context.s': solution('save-context'),
      'autograder/submission/callee-saved.s': starter('callee-saved'),
      'autograder/results/.keep': '',
    });
    const script = join(root, 'autograder/run_autograder');
    writeFileSync(script, `#!/bin/sh\ncd "${ROOT}"\nnode bin/switchyard.mjs grade --pack "${PACK}" --submissions "${root}/autograder/submission" --format gradescope --out "${root}/autograder/results/results.json"\n`);
    chmodSync(script, 0o755);
    execFileSync(script, { stdio: 'pipe' });
    const results = JSON.parse(readFileSync(join(root, 'autograder/results/results.json'), 'utf8'));
    expect(results.score).toBe(13 + 7);
    expect(results.tests).toHaveLength(14);
    for (const t of results.tests) {
      expect(Object.keys(t)).toEqual(['name', 'score', 'max_score', 'status', 'output', 'visibility']);
      expect(['visible', 'after_published']).toContain(t.visibility);
    }
    expect(results.tests.find((t: { name: string }) => t.name === 'save-context: writes only the context and its stack')).toMatchObject({ score: 1, max_score: 1, status: 'passed', visibility: 'after_published' });
    expect(results.tests.find((t: { name: string }) => t.name === 'callee-saved: callee-saved registers preserved')).toMatchObject({ score: 0, max_score: 2, status: 'failed' });
  });

  it('feeds GitHub Classroom\'s reporter one runner result per exercise', () => {
    const repo = tree('classroom', { 'save-context.s': starter('save-context'), 'callee-saved.s': solution('callee-saved'), 'README.md': '# my work' });
    execFileSync('node', [join(ROOT, 'bin/switchyard.mjs'), 'grade', '--pack', PACK, '--submissions', repo, '--format', 'github', '--out', join(repo, 'grades.json')], { stdio: 'pipe' });
    const grades = JSON.parse(readFileSync(join(repo, 'grades.json'), 'utf8'));
    // The workflow base64-encodes each runner's result into <RUNNER>_RESULTS; the reporter decodes it like this.
    const runners = ['save-context', 'callee-saved'].map((id) => ({ runner: id, results: JSON.parse(Buffer.from(Buffer.from(JSON.stringify(grades[id])).toString('base64'), 'base64').toString('utf8')) }));
    for (const { results } of runners) {
      expect(results.version).toBe(1);
      expect(Object.keys(results.tests[0])).toEqual(['name', 'status', 'message', 'score', 'filename', 'line_no', 'test_code']);
    }
    expect(runners[0].results).toMatchObject({ status: 'fail', max_score: 13 });
    expect(runners[1].results).toMatchObject({ status: 'pass', max_score: 10 });
    const total = runners.reduce((n, { results }) => n + results.tests.reduce((s: number, t: { score: number }) => s + t.score, 0), 0);
    expect(total).toBe(4 + 10);
  });
});

/** Writing a graded class in the formats instructors' tools read. */
import type { CheckResult, GradeResult } from '../../exercises/engine/index.ts';
import type { BatchReport, StudentGrade } from './batch.ts';

export const FORMATS = ['json', 'csv', 'junit', 'gradescope', 'github'] as const;
export type Format = (typeof FORMATS)[number];

/** Formats that describe exactly one submission (the autograders run once per student). */
export const SINGLE_SUBMISSION_FORMATS: readonly Format[] = ['gradescope', 'github'];

export function render(format: Format, report: BatchReport, options: { hiddenVisibility?: 'hidden' | 'after_published' } = {}): string {
  switch (format) {
    case 'json': return `${JSON.stringify(toJson(report), null, 2)}\n`;
    case 'csv': return toCsv(report);
    case 'junit': return toJunit(report);
    case 'gradescope': return `${JSON.stringify(toGradescope(report.students[0], options.hiddenVisibility ?? 'after_published'), null, 2)}\n`;
    case 'github': return `${JSON.stringify(toGithub(report.students[0]), null, 2)}\n`;
  }
}

function checkJson(c: CheckResult) {
  return { name: c.name, passed: c.passed, weight: c.weight, hidden: c.hidden, failedCases: c.failedCases, message: c.message, expected: c.expected, actual: c.actual, failure: c.failure };
}

function toJson(report: BatchReport) {
  return {
    format: 'switchyard-grades/1',
    pack: report.pack,
    seed: report.seed,
    includeHidden: report.includeHidden,
    submissions: report.students.map((s) => ({
      student: s.student, path: s.path, score: s.score, maxScore: s.maxScore, ...(s.error ? { error: s.error } : {}),
      exercises: s.exercises.map(({ exercise, result }) => ({
        exercise, status: result.status, passed: result.passed, score: result.score, maxScore: result.maxScore, cases: result.cases,
        ...(result.error ? { error: result.error, errorStage: result.errorStage ?? 'input' } : {}), diagnostics: result.diagnostics, checks: result.checks.map(checkJson),
      })),
    })),
  };
}

/** RFC 4180 quoting, and a leading `'` on text a spreadsheet would run as a formula (a student may be named `=HYPERLINK(…)`). */
const csvField = (v: string | number) => {
  let s = String(v);
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

function toCsv(report: BatchReport): string {
  const rows: (string | number)[][] = [['student', 'exercise', 'status', 'score', 'max_score', 'failed_cases', 'total_cases', 'first_failure']];
  for (const s of report.students) {
    for (const { exercise, result } of s.exercises) {
      const first = result.checks.find((c) => !c.passed);
      rows.push([s.student, exercise, result.status, result.score, result.maxScore, result.cases.failed, result.cases.total, result.error ?? (first ? `${first.name}: ${first.message}` : '')]);
    }
    rows.push([s.student, 'TOTAL', s.exercises.every((e) => e.result.passed) ? 'pass' : 'fail', s.score, s.maxScore, '', '', '']);
  }
  return rows.map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}

const xml = (s: string) => s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function toJunit(report: BatchReport): string {
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>'];
  let tests = 0, failures = 0, errors = 0;
  const suites: string[] = [];
  for (const s of report.students) {
    const cases: string[] = [];
    let sf = 0, se = 0;
    for (const { exercise, result } of s.exercises) {
      for (const c of result.checks) {
        const open = `    <testcase classname="${xml(`${s.student}.${exercise}`)}" name="${xml(c.name)}">`;
        if (c.passed) { cases.push(`${open}</testcase>`); continue; }
        const detail = xml(describeFailure(result, c));
        if (result.status === 'error') { se++; cases.push(`${open}\n      <error message="${xml(result.error ?? c.message)}">${detail}</error>\n    </testcase>`); }
        else { sf++; cases.push(`${open}\n      <failure message="${xml(c.message)}">${detail}</failure>\n    </testcase>`); }
      }
    }
    const count = s.exercises.reduce((n, e) => n + e.result.checks.length, 0);
    tests += count; failures += sf; errors += se;
    suites.push(`  <testsuite name="${xml(s.student)}" tests="${count}" failures="${sf}" errors="${se}">\n${cases.join('\n')}\n  </testsuite>`);
  }
  lines.push(`<testsuites name="switchyard ${xml(report.pack)}" tests="${tests}" failures="${failures}" errors="${errors}">`, ...suites, '</testsuites>');
  return `${lines.join('\n')}\n`;
}

function describeFailure(result: GradeResult, c: CheckResult): string {
  const parts = [c.message];
  if (c.expected !== undefined) parts.push(`expected: ${c.expected}`);
  if (c.actual !== undefined) parts.push(`actual: ${c.actual}`);
  if (c.failure) {
    parts.push(`case #${c.failure.index} (seed ${result.cases.seed}), run ended: ${c.failure.stop}`);
    parts.push(`inputs: ${Object.entries(c.failure.inputs).map(([k, v]) => `${k}=${v}`).join(' ')}`);
    if (c.failure.minimized) parts.push(`simplest failing inputs: ${Object.entries(c.failure.minimized).map(([k, v]) => `${k}=${v}`).join(' ')}`);
  }
  if (c.hint) parts.push(`hint: ${c.hint}`);
  for (const d of result.diagnostics) parts.push(`line ${d.line}:${d.column}: ${d.severity}: ${d.message}`);
  return parts.join('\n');
}

/** Gradescope's autograder results.json: one test per check, hidden checks shown only when the instructor chooses. */
function toGradescope(s: StudentGrade, hiddenVisibility: 'hidden' | 'after_published') {
  return {
    score: s.score,
    output: s.error ?? `Graded by Switchyard: ${s.score} / ${s.maxScore}`,
    stdout_visibility: 'hidden',
    tests: s.exercises.flatMap(({ exercise, result }) => result.checks.map((c) => ({
      name: `${exercise}: ${c.name}`,
      score: c.passed ? c.weight : 0,
      max_score: c.weight,
      status: c.passed ? 'passed' : 'failed',
      output: c.passed ? '' : describeFailure(result, c),
      visibility: c.hidden ? hiddenVisibility : 'visible',
    }))),
  };
}

/**
 * GitHub Classroom's grading reporter reads one result per runner (`{ version, status, max_score,
 * tests }`, base64-encoded in `<RUNNER>_RESULTS`); here each exercise is one runner.
 */
function toGithub(s: StudentGrade) {
  return Object.fromEntries(s.exercises.map(({ exercise, result }) => [exercise, {
    version: 1,
    status: result.status,
    max_score: result.maxScore,
    tests: result.checks.map((c) => ({
      name: c.name,
      status: c.passed ? 'pass' : result.status === 'error' ? 'error' : 'fail',
      message: c.passed ? '' : describeFailure(result, c),
      score: c.passed ? c.weight : 0,
      filename: `${exercise}.s`,
      line_no: result.diagnostics[0]?.line ?? 0,
      test_code: `switchyard check ${exercise} ${exercise}.s`,
    })),
  }]));
}

import { describe, expect, it } from 'vitest';
import type { BatchReport } from '../../../backend/grading/batch.ts';
import { render } from '../../../backend/grading/reporters.ts';
import type { GradeResult } from '../../../exercises/engine/index.ts';

const result = (over: Partial<GradeResult>): GradeResult => ({
  exercise: 'ex', status: 'pass', passed: true, score: 3, maxScore: 3, cases: { total: 10, failed: 0, seed: '0x1' }, diagnostics: [],
  checks: [
    { name: 'visible <one>', kind: 'expect', passed: true, weight: 2, hidden: false, failedCases: 0, message: 'passed' },
    { name: 'secret & hidden', kind: 'stop', passed: true, weight: 1, hidden: true, failedCases: 0, message: 'passed' },
  ],
  ...over,
});

const failing = result({
  status: 'fail', passed: false, score: 1, cases: { total: 10, failed: 4, seed: '0x1' },
  checks: [
    { name: 'visible <one>', kind: 'expect', passed: false, weight: 2, hidden: false, failedCases: 4, message: 'ctx.r12 holds "0x5", expected 0x9', expected: '0x9', actual: '0x5', failure: { index: 3, inputs: { r12: '0x9' }, minimized: { r12: '0x1' }, stop: 'hlt after 3 instructions' } },
    { name: 'secret & hidden', kind: 'stop', passed: true, weight: 1, hidden: true, failedCases: 0, message: 'passed' },
  ],
});

const report = (students: [string, GradeResult][]): BatchReport => ({
  pack: 'p', seed: 'per exercise', includeHidden: true, respawns: 0, seconds: 1,
  students: students.map(([student, r]) => ({ student, path: `/subs/${student}`, score: r.score, maxScore: r.maxScore, exercises: [{ exercise: 'ex', result: r }] })),
});

describe('reporters', () => {
  it('CSV quotes commas and quotes, and defuses cells a spreadsheet would run as formulas', () => {
    const csv = render('csv', report([['=HYPERLINK("x")', failing], ['o,brien', result({})]]));
    expect(csv.split('\r\n')).toEqual([
      'student,exercise,status,score,max_score,failed_cases,total_cases,first_failure',
      `"'=HYPERLINK(""x"")",ex,fail,1,3,4,10,"visible <one>: ctx.r12 holds ""0x5"", expected 0x9"`,
      `"'=HYPERLINK(""x"")",TOTAL,fail,1,3,,,`,
      '"o,brien",ex,pass,3,3,0,10,',
      '"o,brien",TOTAL,pass,3,3,,,',
      '',
    ]);
  });

  it('JUnit escapes XML and keeps failures apart from errors', () => {
    const errored = result({ status: 'error', passed: false, score: 0, error: 'case #0 ran past its budget <2000>', checks: [{ name: 'a', kind: 'stop', passed: false, weight: 1, hidden: false, failedCases: 1, message: 'not graded' }] });
    const xml = render('junit', report([['amy', failing], ['bo', errored]]));
    expect(xml).toContain('<testsuites name="switchyard p" tests="3" failures="1" errors="1">');
    expect(xml).toContain('<testcase classname="amy.ex" name="visible &lt;one&gt;">\n      <failure message="ctx.r12 holds &quot;0x5&quot;, expected 0x9">ctx.r12 holds &quot;0x5&quot;, expected 0x9\nexpected: 0x9\nactual: 0x5\ncase #3 (seed 0x1), run ended: hlt after 3 instructions\ninputs: r12=0x9\nsimplest failing inputs: r12=0x1</failure>');
    expect(xml).toContain('<testcase classname="amy.ex" name="secret &amp; hidden"></testcase>');
    expect(xml).toContain('<error message="case #0 ran past its budget &lt;2000&gt;">');
  });

  it('Gradescope: one test per check worth its weight, hidden checks after publishing (or hidden)', () => {
    const json = JSON.parse(render('gradescope', report([['amy', failing]])));
    expect(json).toEqual({
      score: 1, output: 'Graded by Switchyard: 1 / 3', stdout_visibility: 'hidden',
      tests: [
        { name: 'ex: visible <one>', score: 0, max_score: 2, status: 'failed', output: expect.stringContaining('simplest failing inputs: r12=0x1'), visibility: 'visible' },
        { name: 'ex: secret & hidden', score: 1, max_score: 1, status: 'passed', output: '', visibility: 'after_published' },
      ],
    });
    expect(JSON.parse(render('gradescope', report([['amy', failing]]), { hiddenVisibility: 'hidden' })).tests[1].visibility).toBe('hidden');
  });

  it('GitHub Classroom: a runner result per exercise whose test scores add up to the score', () => {
    const json = JSON.parse(render('github', report([['amy', failing]])));
    expect(json.ex).toMatchObject({ version: 1, status: 'fail', max_score: 3 });
    expect(json.ex.tests.map((t: { status: string; score: number }) => [t.status, t.score])).toEqual([['fail', 0], ['pass', 1]]);
  });
});

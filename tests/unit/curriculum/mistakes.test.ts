/**
 * Grades every curriculum exercise of the bundled pack with the engine on the real CPU and
 * assembler: each documented mistake fails the check its table names, with a message containing
 * the phrase the table gives. (That every reference passes every case and every starter fails is
 * `switchyard validate`'s job: validate.test.ts runs it on the whole pack.) A mistake needs only
 * one failing case, so mistakes are graded on a few cases to keep the suite fast.
 */
import { describe, expect, it } from 'vitest';
import { realPorts } from '../../../exercises/engine/adapters.ts';
import { gradeSubmission, prepareExercise, type GradeResult } from '../../../exercises/engine/index.ts';
import { curriculumExercises, type CurriculumExercise } from './exercises.ts';

const ports = realPorts();
/** Enough cases for every documented mistake to show on at least one (they are common, not rare, errors). */
const MISTAKE_CASES = 12;

function grader(x: CurriculumExercise) {
  const spec = { ...x.spec, cases: Math.min(x.spec.cases, MISTAKE_CASES), hidden_cases: 0 };
  const px = prepareExercise({ id: x.id, origin: `pack/${x.id}`, spec, readme: '', starter: x.read('starter.s'), solution: x.read('solution.s'), harness: x.read('harness.s'), hints: x.spec.hints }, ports.assembler);
  return (file: string): GradeResult => gradeSubmission(px, x.read(file), ports, { includeHidden: true, minimizeRuns: 0 });
}

const summary = (r: GradeResult) => r.checks.filter((c) => !c.passed).map((c) => `${c.name}: ${c.message}`).join('\n') || r.error || 'passed';

// The format examples document mistakes too when the audit needs one to fail a check no mutant fails.
describe.each(curriculumExercises(undefined, true).filter((x) => x.mistakes.length).map((x) => [x.id, x] as const))('%s on the engine', (_id, x) => {
  const grade = grader(x);

  it.each(x.mistakes)('mistake $file fails "$check" saying "$phrase"', (m) => {
    const r = grade(`mistakes/${m.file}`);
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const check = r.checks.find((c) => c.name === m.check);
    expect(check, `no check "${m.check}"`).toBeDefined();
    expect(check!.passed, `${m.file} passed "${m.check}"; failures: ${summary(r)}`).toBe(false);
    expect(check!.message).toContain(m.phrase);
  });
});

/**
 * Grades every curriculum exercise with the engine on the real CPU and assembler: the reference
 * passes every case (hidden ones too), the starter fails, and each documented mistake fails the
 * check its table names with a message containing the phrase the table gives.
 *
 * Exercises in exercises/upcoming/ wait for CPU features; README.md there says which. Those
 * whose row says they wait for nothing must pass now; the others are graded too, and reported
 * as skipped (with what they wait for) while their reference does not pass yet.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { realPorts } from '../../../exercises/engine/adapters.ts';
import { gradeSubmission, prepareExercise, type GradeResult } from '../../../exercises/engine/index.ts';
import { curriculumExercises, UPCOMING_DIR, type CurriculumExercise } from './exercises.ts';

const ports = realPorts();

/** `| \`id\` | waits for |` rows of exercises/upcoming/README.md; `—` means it runs today. */
function waitsFor(): Map<string, string> {
  const rows = readFileSync(join(UPCOMING_DIR, 'README.md'), 'utf8').split('\n').filter((l) => /^\|\s*`[a-z0-9-]+`\s*\|/.test(l));
  return new Map(rows.map((l) => {
    const cells = l.split('|').map((c) => c.trim());
    return [cells[1].replace(/`/g, ''), cells[2]];
  }));
}

const waiting = waitsFor();
const ready = (x: CurriculumExercise) => x.where === 'pack' || waiting.get(x.id) === '—';

function grader(x: CurriculumExercise) {
  const px = prepareExercise({ id: x.id, origin: `${x.where}/${x.id}`, spec: x.spec, readme: '', starter: x.read('starter.s'), solution: x.read('solution.s'), harness: x.read('harness.s'), hints: x.spec.hints }, ports.assembler);
  return (file: string): GradeResult => gradeSubmission(px, x.read(file), ports, { includeHidden: true, minimizeRuns: 0 });
}

const summary = (r: GradeResult) => r.checks.filter((c) => !c.passed).map((c) => `${c.name}: ${c.message}`).join('\n') || r.error || 'passed';

describe.each(curriculumExercises().map((x) => [x.id, x] as const))('%s on the engine', (_id, x) => {
  const grade = grader(x);
  const reference = grade('solution.s');
  const runnable = reference.passed;

  it.skipIf(!ready(x) && !runnable)(`reference passes every case${ready(x) ? '' : ` (waits for: ${waiting.get(x.id)})`}`, () => {
    expect(reference.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(summary(reference)).toBe('passed');
  });

  it.skipIf(!ready(x) && !runnable)('starter fails', () => {
    const r = grade('starter.s');
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(r.passed).toBe(false);
  });

  it.skipIf(!ready(x) && !runnable).each(x.mistakes)('mistake $file fails "$check" saying "$phrase"', (m) => {
    const r = grade(`mistakes/${m.file}`);
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const check = r.checks.find((c) => c.name === m.check);
    expect(check, `no check "${m.check}"`).toBeDefined();
    expect(check!.passed, `${m.file} passed "${m.check}"; failures: ${summary(r)}`).toBe(false);
    expect(check!.message).toContain(m.phrase);
  });
});

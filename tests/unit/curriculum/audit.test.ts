/**
 * `switchyard validate --audit` on the bundled pack, as CI runs it: every mutant of every reference
 * solution that changes what a check reads fails a check (or is listed, with a reason, under
 * `equivalent_mutants`), every check fails for some mutant or documented mistake, and a mutant
 * that puts a graded register or field wrong is reported first by a message naming it. Two cases
 * a mutant keep it quick: nearly every mutant fails on the first.
 */
import { describe, expect, it } from 'vitest';
import { main } from '../../../backend/cli/main.ts';
import type { PackAudit } from '../../../backend/cli/commands/validate-audit.ts';
import { curriculumExercises } from './exercises.ts';

const CASES = '2';

describe('the audit of the bundled pack', () => {
  it('finds no survivor, no check never falsified, no message naming the wrong location, no stale equivalent', async () => {
    let stdout = '', stderr = '';
    const code = await main(['validate', '--audit', '--cases', CASES, '--json'], { stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; }, stderrIsTTY: false });
    const audit = JSON.parse(stdout) as PackAudit;
    expect(audit.errors).toEqual([]);
    expect(audit.exercises.map((x) => x.exercise).sort()).toEqual(curriculumExercises(undefined, true).map((x) => x.id).sort());
    const problems = audit.exercises.flatMap((x) => [
      ...x.survivors.map((s) => `${x.exercise}: survived ${s.id}\n${s.diff}`),
      ...x.neverFalsified.map((c) => `${x.exercise}: check "${c}" never falsified`),
      ...x.wrongLocation.map((w) => `${x.exercise}: ${w.id} puts ${w.expected.join(', ')} wrong; the first message says ${w.message}`),
      ...x.staleEquivalents.map((s) => `${x.exercise}: stale equivalent ${s}`),
    ]);
    expect(problems).toEqual([]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    // Most mutants are killed outright; a pack whose mutants all looked equivalent would audit nothing.
    expect(audit.summary.killed).toBeGreaterThan(audit.summary.mutants / 2);
  }, 120_000);
});

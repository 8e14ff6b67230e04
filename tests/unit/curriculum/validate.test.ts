/**
 * `switchyard validate` on the bundled pack, as CI runs it: the schema holds, every reference
 * solution passes every case (hidden ones included) and every starter fails. With the curriculum
 * rules every exercise follows: at least 100 visible random cases, in the track order of pack.yaml.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../backend/cli/main.ts';
import { readPack, readPackFiles } from '../../../backend/grading/pack-dir.ts';
import { curriculumExercises } from './exercises.ts';

async function validate(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '', stderr = '';
  const code = await main(['validate', ...argv], { stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; }, stderrIsTTY: false });
  return { code, stdout, stderr };
}

describe('the bundled pack', () => {
  const all = curriculumExercises(undefined, true);
  const course = readPack(join(import.meta.dirname, '../../../exercises/pack')).exercises.map((e) => e.id);

  it('holds every exercise folder, in the course order of pack.yaml', () => {
    expect([...course].sort()).toEqual(all.map((x) => x.id).sort());
    expect(course.slice(0, 2)).toEqual(['save-context', 'callee-saved']);
  });

  it('validates: every reference passes every case, every starter fails; its learner\'s copy holds no answers', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'switchyard-learner-')), 'copy');
    try {
      const r = await validate('--learner-copy', out);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`is valid: ${all.length} exercises`);
      for (const x of all) {
        const mistakes = x.mistakes.length ? `, ${x.mistakes.length} mistakes each fail their check` : '';
        expect(r.stdout, x.id).toMatch(new RegExp(`^ok {2}${x.id}: solution passes ${x.spec.cases + x.spec.hidden_cases} cases .*check\\(s\\)${mistakes}$`, 'm'));
      }

      const files = [...readPackFiles(out).keys()];
      expect(files.filter((f) => f.endsWith('solution.s') || f.includes('/mistakes/'))).toEqual([]);
      const copy = readPack(out);
      expect(copy.exercises.map((e) => e.id)).toEqual(course);
      for (const e of copy.exercises) {
        expect(e.spec.hidden_cases, e.id).toBe(0);
        expect(e.spec.checks.filter((c) => c.hidden), e.id).toEqual([]);
      }
    } finally {
      rmSync(join(out, '..'), { recursive: true, force: true });
    }
  }, 180_000);

  it.each(all.map((x) => [x.id, x] as const))('%s has at least 100 random cases', (_id, x) => {
    expect(x.spec.cases).toBeGreaterThanOrEqual(100);
    expect(Object.keys(x.spec.random).length).toBeGreaterThan(0);
  });
});

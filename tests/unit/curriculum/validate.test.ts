/**
 * `switchyard validate` on the bundled pack, as CI runs it: the schema holds, every reference
 * solution passes every case (hidden ones included) and every starter fails. With the curriculum
 * rules every exercise follows: at least 100 visible random cases, in the track order of pack.yaml.
 */
import { describe, expect, it } from 'vitest';
import { main } from '../../../electron/cli/main.ts';
import { curriculumExercises } from './exercises.ts';

async function validate(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '', stderr = '';
  const code = await main(['validate', ...argv], { stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; }, stderrIsTTY: false });
  return { code, stdout, stderr };
}

describe('the bundled pack', () => {
  const all = curriculumExercises(undefined, true);

  it('validates: every reference passes every case, every starter fails', async () => {
    const r = await validate();
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`is valid: ${all.length} exercises`);
    for (const x of all) expect(r.stdout, x.id).toMatch(new RegExp(`^ok {2}${x.id}: solution passes ${x.spec.cases + x.spec.hidden_cases} cases`, 'm'));
  }, 180_000);

  it.each(all.map((x) => [x.id, x] as const))('%s has at least 100 random cases', (_id, x) => {
    expect(x.spec.cases).toBeGreaterThanOrEqual(100);
    expect(Object.keys(x.spec.random).length).toBeGreaterThan(0);
  });
});

/**
 * Writes each exercise README's reference section (mode, structs, symbols) from its spec:
 *   npx tsx tests/unit/curriculum/readme-reference.ts [--write]
 * Without --write it lists the READMEs that are out of date and exits 1 if there are any.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { realPorts } from '../../../exercises/engine/adapters.ts';
import { defaultHarness, prepareExercise } from '../../../exercises/engine/index.ts';
import { referenceSection, withReferenceSection } from '../../../exercises/engine/reference.ts';
import type { CurriculumExercise } from './exercises.ts';

export function expectedReadme(x: CurriculumExercise): string {
  const ports = realPorts();
  const px = prepareExercise({ id: x.id, origin: `pack/${x.id}`, spec: x.spec, readme: '', starter: '', harness: x.has('harness.s') ? x.read('harness.s') : defaultHarness(x.spec.entry[0]), hints: [] }, ports.assembler);
  return withReferenceSection(x.read('README.md'), referenceSection(px));
}

if (process.argv[1]?.endsWith('readme-reference.ts')) {
  const { curriculumExercises } = await import('./exercises.ts');
  const write = process.argv.includes('--write');
  let stale = 0;
  for (const x of curriculumExercises(undefined, true)) {
    const want = expectedReadme(x);
    if (want === x.read('README.md')) continue;
    stale++;
    if (write) writeFileSync(join(x.dir, 'README.md'), want);
    process.stdout.write(`${write ? 'wrote' : 'out of date'}: ${x.id}/README.md\n`);
  }
  if (!write && stale) process.exitCode = 1;
}

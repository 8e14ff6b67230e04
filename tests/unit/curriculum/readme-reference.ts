/**
 * Writes each exercise README's reference section (mode, structs, symbols) and the instructor's
 * table of mistakes (mistakes/README.md) from its spec:
 *   npx tsx tests/unit/curriculum/readme-reference.ts [--write]
 * Without --write it lists the READMEs that are out of date and exits 1 if there are any.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { realPorts } from '../../../exercises/engine/adapters.ts';
import { defaultHarness, prepareExercise } from '../../../exercises/engine/index.ts';
import { mistakesReadme } from '../../../exercises/engine/mistakes.ts';
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
    const wanted: [string, string][] = [['README.md', expectedReadme(x)]];
    if (x.mistakes.length) wanted.push(['mistakes/README.md', mistakesReadme(x.spec)]);
    for (const [file, want] of wanted) {
      if (x.has(file) && want === x.read(file)) continue;
      stale++;
      if (write) {
        mkdirSync(dirname(join(x.dir, file)), { recursive: true });
        writeFileSync(join(x.dir, file), want);
      }
      process.stdout.write(`${write ? 'wrote' : 'out of date'}: ${x.id}/${file}\n`);
    }
  }
  if (!write && stale) process.exitCode = 1;
}

/**
 * Our assembler must produce, for every curriculum file, the bytes GNU as produces, linked at the
 * addresses the engine loads them at: the harness with the exercise's symbols, each learner file
 * (reference, starter, mistakes) with the learner's symbols.
 */
import { describe, expect, it } from 'vitest';
import { realPorts } from '../../../exercises/engine/adapters.ts';
import { assembleSubmission } from '../../../exercises/engine/grade.ts';
import { prepareExercise } from '../../../exercises/engine/index.ts';
import { curriculumExercises } from './exercises.ts';
import { gnuLinkAvailable, gnuText } from './gnu-as.ts';

const ports = realPorts();

const hexOf = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe.skipIf(!gnuLinkAvailable).each(curriculumExercises().map((x) => [x.id, x] as const))('%s assembles as GNU as does', (_id, x) => {
  const px = prepareExercise({ id: x.id, origin: `pack/${x.id}`, spec: x.spec, readme: '', starter: '', solution: x.read('solution.s'), harness: x.read('harness.s'), hints: [] }, ports.assembler);
  const files = ['solution.s', 'starter.s', ...x.mistakes.map((m) => `mistakes/${m.file}`)];

  it('harness.s', () => {
    const supplied = Object.fromEntries(Object.entries(px.harnessSymbols).filter(([k]) => !px.harness.symbols.some((s) => s.name === k)));
    const text = px.harness.sections.find((s) => s.name === '.text')!;
    expect(hexOf(text.bytes)).toBe(hexOf(gnuText(x.read('harness.s'), px.bits, supplied, text.base, text.base + 0x8000)));
  });

  it.each(files)('%s', (file) => {
    const stage = assembleSubmission(px, x.read(file), ports);
    expect(stage.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    if (!stage.ok) return;
    const text = stage.code.asm.sections.find((s) => s.name === '.text')!;
    expect(hexOf(text.bytes)).toBe(hexOf(gnuText(x.read(file), px.bits, px.learnerSymbols, text.base, px.learnerBases['.data'])));
  });
});

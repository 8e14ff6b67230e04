/**
 * The curriculum's own invariants, checked without the CPU: every exercise is complete (spec,
 * instructions with a diagram, starter, reference, harness, hints, at least three documented
 * mistakes), its spec is valid for the engine, and every assembly file assembles with GNU as
 * and links against the harness the way the engine links it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { prepareExercise } from '../../../exercises/engine/exercise.ts';
import type { AssemblerPort } from '../../../exercises/engine/ports.ts';
import { curriculumExercises, loadProblems, ROOT, specSymbols, type CurriculumExercise } from './exercises.ts';
import { gnuAsAvailable, gnuAssemble } from './gnu-as.ts';
import { expectedReadme } from './readme-reference.ts';
import { mistakesReadme } from '../../../exercises/engine/mistakes.ts';
import { REFERENCE_BEGIN } from '../../../exercises/engine/reference.ts';

const exercises = curriculumExercises();
const byId = exercises.map((x) => [x.id, x] as const);

/** Harness symbols as the engine sees them (GNU as gives names and kinds; addresses are not needed to resolve names). */
const namesOnlyAssembler: AssemblerPort = {
  assemble(source, { bits, symbols }) {
    const r = gnuAssemble(source, bits, symbols);
    const diagnostics = r.ok ? [] : [{ severity: 'error' as const, line: 1, column: 1, endLine: 1, endColumn: 1, message: r.errors }];
    return { ok: r.ok, sections: [], listing: [], diagnostics, symbols: [...r.defined].map(([name, s]) => ({ name, section: '.text', value: 0, global: s.type === s.type.toUpperCase() })) };
  },
};

function harnessSymbols(x: CurriculumExercise): Record<string, number> {
  const { structs, regions } = specSymbols(x.spec);
  const entries = Object.fromEntries(x.spec.entry.map((e, i) => [e, 0x3fff0 + 8 * i]));
  return { ...structs, ...regions, ...entries };
}

function learnerSymbols(x: CurriculumExercise): Record<string, number> {
  const { structs, exposed } = specSymbols(x.spec);
  const harness = gnuAssemble(x.read('harness.s'), x.spec.mode === 'long64' ? 64 : 32, harnessSymbols(x));
  const globals: Record<string, number> = {};
  for (const [name, s] of harness.defined) if (/[A-Z]/.test(s.type)) globals[name] = 0x10000;
  return { ...structs, ...exposed, ...globals };
}

const learnerFiles = (x: CurriculumExercise) => ['solution.s', 'starter.s', ...x.mistakes.map((m) => `mistakes/${m.file}`)];

describe('curriculum', () => {
  it('every exercise.yaml loads', () => {
    expect(loadProblems).toEqual([]);
  });

  it('has at least 20 exercises besides the two format examples', () => {
    expect(exercises.length).toBeGreaterThanOrEqual(20);
  });

  it('maps every exercise in docs/curriculum.md', () => {
    const map = readFileSync(join(ROOT, 'docs/curriculum.md'), 'utf8');
    for (const x of exercises) expect(map, x.id).toContain(`\`${x.id}\``);
  });
});

describe.each(curriculumExercises(undefined, true).map((x) => [x.id, x] as const))('%s README', (_id, x) => {
  it('states the mode, every struct with its offset symbols, and the symbols the learner may use, as the spec says', () => {
    const readme = x.read('README.md');
    expect(readme, 'out of date: npx tsx tests/unit/curriculum/readme-reference.ts --write').toBe(expectedReadme(x));
    for (const symbol of Object.keys(specSymbols(x.spec).structs)) expect(readme).toContain(`\`${symbol}\``);
    expect(readme).toContain(`\`${x.spec.mode}\``);
  });

  it('gives the offsets the spec gives wherever its own tables pair an offset with a symbol', () => {
    const { structs } = specSymbols(x.spec);
    const written = x.read('README.md').split(REFERENCE_BEGIN)[0];
    for (const row of written.split('\n').filter((l) => l.startsWith('|'))) {
      const cells = row.split('|').map((c) => c.trim());
      cells.forEach((cell, i) => {
        const offset = /^\+?(0x[0-9a-f]+)$/i.exec(cell);
        const symbol = offset && cells.slice(i + 1, i + 3).map((c) => /^`([A-Z][A-Z0-9]*_[A-Z0-9_]+)`/.exec(c)?.[1]).find((n) => n !== undefined && n in structs);
        if (offset && symbol) expect(`${symbol} = 0x${structs[symbol].toString(16)}`, row).toBe(`${symbol} = 0x${parseInt(offset[1], 16).toString(16)}`);
      });
    }
  });
});

describe.each(byId)('%s', (_id, x) => {
  it('is complete: instructions with a diagram, starter, reference, harness, hints', () => {
    for (const f of ['README.md', 'starter.s', 'solution.s', 'harness.s']) expect(x.has(f), f).toBe(true);
    expect(x.read('README.md')).toMatch(/```[\s\S]+?```/);
    expect(x.spec.hints.length).toBeGreaterThanOrEqual(2);
    expect(x.spec.hints.length).toBeLessThanOrEqual(3);
    expect(x.spec.cases).toBeGreaterThanOrEqual(100);
    expect(x.spec.id).toBe(x.id);
  });

  it('lists at least three mistakes, each with its file, and the instructor\'s table written from the list', () => {
    expect(x.mistakes.length).toBeGreaterThanOrEqual(3);
    for (const m of x.mistakes) expect(x.has(`mistakes/${m.file}`), m.file).toBe(true);
    expect(x.read('mistakes/README.md'), 'out of date: npx tsx tests/unit/curriculum/readme-reference.ts --write').toBe(mistakesReadme(x.spec));
  });

  it.skipIf(!gnuAsAvailable)('spec names only things that exist (prepared by the engine, harness assembled by GNU as)', () => {
    expect(() => prepareExercise({ id: x.id, origin: `pack/${x.id}`, spec: x.spec, readme: '', starter: '', solution: '', harness: x.read('harness.s'), hints: [] }, namesOnlyAssembler)).not.toThrow();
  });

  it.skipIf(!gnuAsAvailable)('harness assembles with GNU as and leaves nothing undefined', () => {
    const r = gnuAssemble(x.read('harness.s'), x.spec.mode === 'long64' ? 64 : 32, harnessSymbols(x));
    expect(r.errors).toBe('');
    expect(r.undefinedSymbols).toEqual([]);
  });

  it.skipIf(!gnuAsAvailable).each(learnerFiles(x))('%s assembles with GNU as against the learner symbols and defines the entry points', (file) => {
    const r = gnuAssemble(x.read(file), x.spec.mode === 'long64' ? 64 : 32, learnerSymbols(x));
    expect(r.errors).toBe('');
    expect(r.undefinedSymbols).toEqual([]);
    for (const e of x.spec.entry) expect(r.defined.get(e)?.type, `${file}: global ${e} in .text`).toBe('T');
  });
});

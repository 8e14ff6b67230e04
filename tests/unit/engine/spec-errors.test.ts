import { describe, expect, it } from 'vitest';
import { parseExerciseSpec, parsePackSpec, SpecError } from '../../../exercises/engine/load.ts';
import { loadPack, learnerCopy, PackError } from '../../../exercises/engine/pack.ts';

const FILE = 'pack/save/exercise.yaml';
const MISTAKES = 'mistakes:\n  - file: off-by-one.s\n    what: rbx stored one slot off\n    fails: saves rax\n    says: ctx.rax\n';
const valid = `id: save
title: Save
mode: long64
entry: save_context
cases: 10
types:
  context: { fields: [rax, rbx] }
memory:
  ctx: { at: 0x20000, type: context }
random:
  rax: u64
checks:
  - name: saves rax
    expect: ctx.rax == in.rax
`;

/** Replaces one line of the valid spec (matched by its start) with another. */
const edit = (from: string, to: string) => {
  if (!valid.includes(from)) throw new Error(`no ${from}`);
  return valid.replace(from, to);
};

const errorOf = (text: string): string => {
  try { parseExerciseSpec(FILE, text); } catch (e) { if (e instanceof SpecError) return e.message; throw e; }
  return 'no error';
};

describe('exercise.yaml validation', () => {
  it('accepts the valid spec and fills defaults', () => {
    const spec = parseExerciseSpec(FILE, valid);
    expect(spec.entry).toEqual(['save_context']);
    expect(spec.budget).toBe(100_000);
    expect(spec.memory.ctx.access).toBe('rw');
    expect(spec.checks[0].weight).toBe(1);
  });

  it.each([
    ['expect is a number', edit('expect: ctx.rax == in.rax', 'expect: 3'), `${FILE}: checks[0].expect: expected an expression like \`ctx.rax == in.rax\`, got a number (line 14)`],
    ['expect does not parse', edit('expect: ctx.rax == in.rax', 'expect: "ctx.rax == (in.rax"'), `${FILE}: checks[0].expect: expected \`)\`, found the end (column 19 of \`ctx.rax == (in.rax\`) (line 14)`],
    ['expect uses =', edit('expect: ctx.rax == in.rax', 'expect: ctx.rax = in.rax'), `${FILE}: checks[0].expect: \`=\` is not an operator here; compare with \`==\` (column 9 of \`ctx.rax = in.rax\`) (line 14)`],
    ['unknown mode', edit('mode: long64', 'mode: real16'), `${FILE}: mode: expected \`long64\` or \`protected32\`, got the text "real16" (line 3)`],
    ['missing title', edit('title: Save\n', ''), `${FILE}: title: expected a title, got nothing`],
    ['bad id', edit('id: save', 'id: Save It'), `${FILE}: id: expected an id of lower-case letters, digits and \`-\` (line 1)`],
    ['misspelled field', edit('cases: 10', 'cases: 10\ncasse: 3'), `${FILE}: casse: unknown field; is it misspelled? (line 6)`],
    ['check with no kind', edit('    expect: ctx.rax == in.rax\n', ''), `${FILE}: checks[0]: a check needs one of expect, stop, preserved, writes_only, max_instructions, max_code_bytes, requires, forbids (line 13)`],
    ['check with two kinds', edit('    expect: ctx.rax == in.rax', '    expect: ctx.rax == in.rax\n    stop: hlt'), `${FILE}: checks[0]: a check has exactly one kind, found expect and stop (line 13)`],
    ['check is a number', edit('  - name: saves rax\n    expect: ctx.rax == in.rax', '  - 7'), `${FILE}: checks[0]: expected a check (a mapping with \`name:\` and one of expect, stop, preserved, writes_only, max_instructions, max_code_bytes, requires, forbids), got a number (line 13)`],
    ['unknown field inside a check', edit('    expect: ctx.rax == in.rax', '    expect: ctx.rax == in.rax\n    wieght: 2'), `${FILE}: checks[0]: unknown field \`wieght\` in this \`expect\` check (line 13)`],
    ['stop kind wrong', edit('    expect: ctx.rax == in.rax', '    stop: halt'), `${FILE}: checks[0].stop: expected one of hlt, no-fault, fault, triple-fault, got the text "halt" (line 14)`],
    ['preserved bad register', edit('    expect: ctx.rax == in.rax', '    preserved: [rbx, rxx]'), `${FILE}: checks[0].preserved[1]: expected a register name like rbx, got the text "rxx" (line 14)`],
    ['bad generator', edit('  rax: u64', '  rax: u65'), `${FILE}: random.rax: expected a generator: one of u64, u32, u16, u8, bool, flags, or { range: [lo, hi] }, or { choice: [...] }, got the text "u65" (line 11)`],
    ['field size wrong', edit('fields: [rax, rbx]', 'fields: [rax, { rbx: 3 }]'), `${FILE}: types.context.fields[1]: expected a field name, or \`name: size\` (size 1, 2, 4 or 8), got a mapping (line 7)`],
    ['region without size', edit('ctx: { at: 0x20000, type: context }', 'ctx: { at: 0x20000 }'), `${FILE}: memory.ctx: a region needs \`size:\` or \`type:\` (line 9)`],
    ['no checks', edit('checks:\n  - name: saves rax\n    expect: ctx.rax == in.rax\n', 'checks: []\n'), `${FILE}: checks: an exercise needs at least one check (line 12)`],
    ['yaml syntax', 'id: save\n  title: [\n', `${FILE}: line 1, column 5: YAML syntax error: Nested mappings are not allowed in compact mappings\n${FILE}: line 1, column 5: YAML syntax error: Implicit keys need to be on a single line\n${FILE}: line 3, column 1: YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]`],
    ['duplicate key', edit('cases: 10', 'cases: 10\ncases: 11'), `${FILE}: line 6, column 1: YAML syntax error: Map keys must be unique`],
  ])('%s', (_name, text, message) => {
    expect(errorOf(text)).toBe(message);
  });

  it('pack.yaml errors name the file and field', () => {
    expect(() => parsePackSpec('p/pack.yaml', 'id: p\ntitle: P\ntracks: []\n')).toThrow('p/pack.yaml: tracks: a pack needs at least one track (line 3)');
  });
});

describe('packs', () => {
  const files = (extra: Record<string, string> = {}) => new Map(Object.entries({
    'pack.yaml': 'id: p\ntitle: P\ntracks:\n  - { id: t, title: T, exercises: [save] }\n',
    'save/exercise.yaml': valid,
    'save/README.md': '# Save',
    'save/starter.s': 'save_context: ret\n',
    'save/solution.s': 'save_context: ret\n',
    ...extra,
  }));

  it('loads exercises in track order with their track and a default harness', () => {
    const pack = loadPack(files(), 'p');
    expect(pack.exercises.map((e) => [e.id, e.track])).toEqual([['save', 't']]);
    expect(pack.exercises[0].harness).toContain('call save_context');
  });

  it.each([
    ['a listed exercise has no folder', { 'pack.yaml': 'id: p\ntitle: P\ntracks:\n  - { id: t, title: T, exercises: [save, gone] }\n' }, 'p/gone/exercise.yaml: missing: pack.yaml lists `gone` but there is no gone/exercise.yaml'],
    ['an exercise is not listed', { 'extra/exercise.yaml': valid }, 'p/extra/exercise.yaml: exercise `extra` is not listed in any track of pack.yaml'],
    ['id differs from folder', { 'save/exercise.yaml': valid.replace('id: save', 'id: saved') }, 'p/save/exercise.yaml: id: is `saved` but the folder is `save`; they must match'],
    ['listed twice', { 'pack.yaml': 'id: p\ntitle: P\ntracks:\n  - { id: t, title: T, exercises: [save] }\n  - { id: u, title: U, exercises: [save] }\n' }, 'p/pack.yaml: exercise `save` is listed in track `u` and again in `t`'],
  ])('%s', (_name, extra, message) => {
    let error: unknown;
    try { loadPack(files(extra), 'p'); } catch (e) { error = e; }
    expect(error).toBeInstanceOf(PackError);
    expect((error as PackError).message).toBe(message);
  });

  it.each([
    ['sections', '# Hints\nRead these one at a time.\n\n## First\nLook at rdi.\n\n## Second\nUse pushfq.\nThen pop.\n', ['Look at rdi.', 'Use pushfq.\nThen pop.']],
    ['paragraphs', 'Look at rdi.\n\nUse pushfq.\n', ['Look at rdi.', 'Use pushfq.']],
  ])('hints.md as %s gives progressive hints', (_name, text, hints) => {
    expect(loadPack(files({ 'save/hints.md': text }), 'p').exercises[0].hints).toEqual(hints);
  });

  it('a missing starter is named; a missing solution is allowed (a learner\'s copy has none)', () => {
    const f = files();
    f.delete('save/solution.s');
    expect(loadPack(f, 'p').exercises[0].solution).toBeUndefined();
    f.delete('save/starter.s');
    expect(() => loadPack(f, 'p')).toThrow('p/save/starter.s: missing: every exercise needs README.md, starter.s');
  });

  it('the learner copy has no solutions, mistakes, hidden checks or hidden cases', () => {
    const spec = valid.replace('cases: 10', 'cases: 10\nhidden_cases: 5') + '  - name: secret\n    stop: hlt\n    hidden: true\n' + MISTAKES;
    const mistakes = { 'save/mistakes/README.md': '| what | file | check | phrase |\n', 'save/mistakes/off-by-one.s': '.globl f\nf: ret\n', 'save/hints.md': 'Look at rdi.\n' };
    const copy = learnerCopy(files({ 'save/exercise.yaml': spec, ...mistakes }));
    expect(copy.has('save/solution.s')).toBe(false);
    expect([...copy.keys()].filter((p) => p.includes('mistakes'))).toEqual([]);
    expect([...copy.keys()].sort()).toEqual(['pack.yaml', 'save/README.md', 'save/exercise.yaml', 'save/hints.md', 'save/starter.s']);
    expect(loadPack(copy, 'copy').exercises[0].solution).toBeUndefined();
    const parsed = parseExerciseSpec('x', copy.get('save/exercise.yaml')!);
    expect(parsed.checks.map((c) => c.name)).toEqual(['saves rax']);
    expect(parsed.hidden_cases).toBe(0);
    expect(parsed.mistakes).toEqual([]);
  });

  describe('mistakes:', () => {
    const withMistakes = (list: string, extra: Record<string, string> = {}) => files({ 'save/exercise.yaml': valid + list, ...extra });
    const problemsOf = (f: Map<string, string>) => {
      try { loadPack(f, 'p'); } catch (e) { if (e instanceof PackError || e instanceof SpecError) return e.message; throw e; }
      return 'no error';
    };

    it('loads each listed file beside its spec', () => {
      const x = loadPack(withMistakes(MISTAKES, { 'save/mistakes/off-by-one.s': 'save_context: ret\n' }), 'p').exercises[0];
      expect(x.spec.mistakes).toEqual([{ file: 'off-by-one.s', what: 'rbx stored one slot off', fails: 'saves rax', says: 'ctx.rax' }]);
      expect([...x.mistakes!.keys()]).toEqual(['off-by-one.s']);
    });

    it.each([
      ['a check nobody has', MISTAKES.replace('fails: saves rax', 'fails: saves rbx'), {}, 'p/save/exercise.yaml: mistakes[0].fails: no check is named "saves rbx"; a mistake names the check it must fail (line 18)'],
      ['a file twice', MISTAKES + MISTAKES.replace('mistakes:\n', ''), { 'save/mistakes/off-by-one.s': '' }, 'mistakes[1].file: off-by-one.s is listed twice'],
      ['a file that is not assembly', MISTAKES.replace('off-by-one.s', 'notes.txt'), {}, 'mistakes[0].file: expected a file name in mistakes/ ending in `.s`'],
      ['a listed file that is missing', MISTAKES, {}, 'p/save/mistakes/off-by-one.s: missing: exercise.yaml lists it under mistakes:'],
      ['a file nobody lists', '', { 'save/mistakes/stray.s': '' }, 'p/save/mistakes/stray.s: not listed under mistakes: in exercise.yaml (which check must it fail?)'],
      ['a field left out', MISTAKES.replace('    says: ctx.rax\n', ''), { 'save/mistakes/off-by-one.s': '' }, 'mistakes[0].says: expected a phrase that check\'s message must contain'],
    ])('%s is refused, naming the field or file', (_what, list, extra, message) => {
      expect(problemsOf(withMistakes(list, extra))).toContain(message);
    });
  });
});

describe('text cut short by a YAML comment', () => {
  it.each([
    ['a hint', '    expect: ctx.rax == in.rax\n', '    expect: ctx.rax == in.rax\n    hint: hlt raises #GP in ring 3\n', 'pack/save/exercise.yaml: line 15: `hint` is cut short after "hlt raises": in YAML an unquoted ` #` starts a comment, so "#GP in ring 3" is not part of the text; put the whole text in quotes (or, if it is a comment, on a line of its own)'],
    ['a check name', '  - name: saves rax\n', '  - name: saves rax #1\n', 'line 13: `name` is cut short after "saves rax"'],
    ['the title', 'title: Save\n', 'title: Save #2\n', 'line 2: `title` is cut short after "Save"'],
    ['an item of hints', '    expect: ctx.rax == in.rax\n', '    expect: ctx.rax == in.rax\nhints:\n  - first\n  - use pushq #8 times\n', 'line 17: `hints` is cut short after "use pushq"'],
  ])('in %s is an error with its line', (_what, from, to, message) => {
    expect(errorOf(edit(from, to))).toContain(message);
  });

  it('quoted text and comments after expressions or on their own line are fine', () => {
    expect(errorOf(edit('    expect: ctx.rax == in.rax\n', '    expect: ctx.rax == in.rax # the value\n    # a comment\n    hint: "raises #GP"\n'))).toBe('no error');
  });
});

it('every text field of the bundled pack is whole (no unquoted ` #`)', async () => {
  const { readPack, bundledPackDir } = await import('../../../backend/grading/pack-dir.ts');
  expect(readPack(bundledPackDir()).exercises.length).toBeGreaterThan(0);
});

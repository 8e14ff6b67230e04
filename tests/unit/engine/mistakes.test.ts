/**
 * The mistakes an exercise lists are proven by the engine: each must fail the check it names with
 * a message containing its phrase, and anything else is reported for that file, saying why.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { realPorts } from '../../../exercises/engine/adapters.ts';
import { loadPack, mistakeProblems, mistakesReadme, prepareExercise } from '../../../exercises/engine/index.ts';

const DIR = join(import.meta.dirname, '../../../exercises/pack/save-context');
const read = (name: string) => readFileSync(join(DIR, name), 'utf8');
const solution = read('solution.s');
const ports = realPorts();

/** save-context with one listed mistake: `source` in mistakes/wrong.s, said to fail `fails` saying `says`. */
function problemsFor(source: string, fails: string, says: string) {
  const list = `\nmistakes:\n  - file: wrong.s\n    what: "a wrong answer"\n    fails: "${fails}"\n    says: "${says}"\n`;
  const files = new Map(Object.entries({
    'pack.yaml': 'id: p\ntitle: P\ntracks:\n  - { id: t, title: T, exercises: [save-context] }\n',
    'save-context/exercise.yaml': read('exercise.yaml') + list,
    'save-context/README.md': read('README.md'),
    'save-context/starter.s': read('starter.s'),
    'save-context/solution.s': solution,
    'save-context/harness.s': read('harness.s'),
    'save-context/mistakes/wrong.s': source,
  }));
  const exercise = loadPack(files, 'p').exercises[0];
  return mistakeProblems(prepareExercise(exercise, ports.assembler), ports);
}

const rbxIntoRcx = solution.replace('mov [rdi + CTX_RBX], rbx', 'mov [rdi + CTX_RBX], rcx');

describe('mistakeProblems', () => {
  it('accepts a mistake that fails its check with the phrase in the message', () => {
    expect(problemsFor(rbxIntoRcx, 'general registers saved by field', 'ctx.rbx')).toEqual([]);
  });

  it.each([
    ['passes every check', solution, 'general registers saved by field', 'ctx.rbx', 'passes "general registers saved by field" on 12 cases, and every other check too'],
    ['fails another check', rbxIntoRcx, 'rflags saved before anything changes it', 'rflags', 'passes "rflags saved before anything changes it" on 12 cases; it fails "general registers saved by field" instead'],
    ['says something else', rbxIntoRcx, 'general registers saved by field', 'ctx.r15', 'fails "general registers saved by field" but its message does not say "ctx.r15": '],
    ['does not assemble', `${solution}\n    movq %rax,\n`, 'general registers saved by field', 'ctx.rbx', 'does not assemble (line '],
  ])('reports a mistake that %s', (_what, source, fails, says, problem) => {
    const problems = problemsFor(source, fails, says);
    expect(problems).toHaveLength(1);
    expect(problems[0].file).toBe('wrong.s');
    expect(problems[0].problem).toContain(problem);
  });

  it('writes the instructor\'s table, escaping a | in the text', () => {
    const spec = { mistakes: [{ file: 'or.s', what: 'a | b', fails: 'saves', says: 'ctx.rax' }] } as Parameters<typeof mistakesReadme>[0];
    expect(mistakesReadme(spec)).toBe('# Likely mistakes\n\n| what goes wrong | file | failing check | message contains |\n|---|---|---|---|\n| a \\| b | `or.s` | saves | `ctx.rax` |\n');
  });
});

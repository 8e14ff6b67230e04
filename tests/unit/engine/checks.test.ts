import { describe, expect, it } from 'vitest';
import { realPorts } from '../../../exercises/engine/adapters.ts';
import { gradeSubmission, loadExercise, prepareExercise } from '../../../exercises/engine/index.ts';

const ports = realPorts();

/** A small exercise: `f` is called with rdi = &box, a struct with fields a and b; plus one check under test. */
function exercise(check: string, extra = '') {
  const spec = `id: t
title: T
mode: long64
entry: f
cases: 20
budget: 500
types:
  box: { fields: [a, b] }
memory:
  box: { at: 0x20000, type: box }
  stack: { at: 0x70000, size: 0x1000 }
  rom: { at: 0x30000, size: 0x100, access: r }
random:
  rax: u64
  rbx: u64
  box.a: u32
registers:
  rdi: "&box"
${extra}checks:
${check}
`;
  const files = new Map([['t/exercise.yaml', spec], ['t/README.md', ''], ['t/starter.s', ''], ['t/solution.s', '']]);
  return prepareExercise(loadExercise(files, 't', 'pack'), ports.assembler);
}

const grade = (check: string, body: string, extra = '') => {
  const result = gradeSubmission(exercise(check, extra), `.globl f\nf:\n${body}\n`, ports);
  return { status: result.status, message: result.checks[0].message };
};

describe('each check kind passes and fails', () => {
  it.each<[string, string, string, string, string | RegExp]>([
    ['expect passes', '  - { name: c, expect: "box.b == in.rax" }', 'mov %rax, 8(%rdi)\nret', 'pass', 'passed'],
    ['expect explains a swap', '  - { name: c, expect: "box.b == in.rax" }', 'mov %rbx, 8(%rdi)\nret', 'fail', /^box\.b \(offset 0x8\) holds 0x[0-9a-f]+, expected 0x[0-9a-f]+ \(in\.rax\): that is the value rbx had at the start, so rbx went where box\.b belongs$/],
    ['expect on a field left alone', '  - { name: c, for_each: box, expect: "box.{field} == in.box.a" }', 'ret', 'fail', /^box\.b \(offset 0x8\) holds 0x0, expected 0x[0-9a-f]+ \(in\.box\.a\): it still holds what was there before your code ran, so nothing was stored there$/],
    ['expect with a non-equality', '  - { name: c, expect: "rax < 0x10" }', 'mov $0x20, %eax\nret', 'fail', 'rax is 0x20, but it should be < 0x10'],
    ['stop hlt passes', '  - { name: c, stop: hlt }', 'ret', 'pass', 'passed'],
    ['stop hlt fails on a fault', '  - { name: c, stop: hlt }', 'ud2', 'fail', 'the run should end with hlt, but it ended with #UD: UD2: undefined instruction (raised on purpose), at line 3 of your file'],
    ['stop fault with a vector', '  - { name: c, stop: fault, vector: 6 }', 'ud2', 'pass', 'passed'],
    ['stop no-fault', '  - { name: c, stop: no-fault }', 'mov $0, %ecx\ndiv %rcx\nret', 'fail', /^the run should end with no fault, but it ended with #DE/],
    ['preserved passes', '  - { name: c, preserved: [rbx] }', 'push %rbx\nmov $1, %ebx\npop %rbx\nret', 'pass', 'passed'],
    ['preserved fails', '  - { name: c, preserved: [rbx] }', 'xor %ebx, %ebx\nret', 'fail', /^rbx was 0x[0-9a-f]+ when your code was called and 0x0 afterwards: it must be preserved/],
    ['preserved names where the value came from', '  - { name: c, preserved: [rbx] }', 'mov %rax, %rbx\nret', 'fail', /^rbx was 0x[0-9a-f]+ when your code was called and 0x[0-9a-f]+ afterwards: it must be preserved \(save it and restore it before returning\): that is the value rax had at the start, so rax went where rbx belongs$/],
    ['writes_only passes', '  - { name: c, writes_only: [box, stack] }', 'mov %rax, (%rdi)\nret', 'pass', 'passed'],
    ['writes_only catches a store into read-only memory', '  - { name: c, writes_only: [box, stack] }', 'movq $1, 0x30000\nret', 'fail', 'your code wrote 8 bytes at 0x30000 (in rom), outside what it may write: box, stack'],
    ['writes_only catches a store into the code', '  - { name: c, writes_only: [box, stack] }', 'movb $0xc3, f\nret', 'fail', "your code wrote 1 byte at 0x40000 (inside your .text), outside what it may write: box, stack"],
    ['writes_only catches a store anywhere else', '  - { name: c, writes_only: [box, stack] }', 'movq $1, 0x100000\nret', 'fail', 'your code wrote 8 bytes at 0x100000, outside what it may write: box, stack'],
    ['max_instructions passes', '  - { name: c, max_instructions: 5 }', 'ret', 'pass', 'passed'],
    ['max_instructions fails', '  - { name: c, max_instructions: 5 }', 'nop\nnop\nnop\nnop\nret', 'fail', 'the case took 8 instructions (harness included); at most 5 are allowed'],
    ['max_code_bytes passes', '  - { name: c, max_code_bytes: 1 }', 'ret', 'pass', 'passed'],
    ['max_code_bytes fails', '  - { name: c, max_code_bytes: 1 }', 'nop\nret', 'fail', 'your code is 2 bytes; this exercise allows at most 1'],
    ['requires passes', '  - { name: c, requires: [pushfq] }', 'pushfq\npopfq\nret', 'pass', 'passed'],
    ['requires fails', '  - { name: c, requires: [pushfq] }', 'ret', 'fail', 'your code must use `pushfq`, and does not'],
    ['forbids matches a suffixed form', '  - { name: c, forbids: [push] }', 'pushq %rax\npopq %rax\nret', 'fail', 'your code may not use `push`'],
    ['forbids passes', '  - { name: c, forbids: [push] }', 'ret', 'pass', 'passed'],
  ])('%s', (_name, check, body, status, message) => {
    const r = grade(check, body);
    expect(r.status).toBe(status);
    if (typeof message === 'string') expect(r.message).toBe(message);
    else expect(r.message).toMatch(message);
  });

  it('compares with the reference solution under ref.', () => {
    const px = exercise('  - { name: c, expect: "rax == ref.rax" }');
    px.exercise.solution = '.globl f\nf:\n  lea 1(%rax), %rax\n  ret\n';
    expect(gradeSubmission(px, '.globl f\nf:\n  inc %rax\n  ret\n', ports).status).toBe('pass');
    expect(gradeSubmission(px, '.globl f\nf:\n  ret\n', ports).checks[0].message).toMatch(/^rax holds 0x[0-9a-f]+, expected 0x[0-9a-f]+ \(ref\.rax\)/);
  });

  it('code a case overwrote is restored before the next case', () => {
    const r = gradeSubmission(exercise('  - { name: c, expect: "box.b == in.rax" }'), '.globl f\nf:\n  movb $0xc3, f\n  mov %rax, 8(%rdi)\n  ret\n', ports);
    expect(r.status).toBe('pass');
  });

  it('a runaway loop is an error naming the case and the budget', () => {
    const r = gradeSubmission(exercise('  - { name: c, stop: hlt }'), '.globl f\nf:\n1: jmp 1b\n', ports);
    expect(r.status).toBe('error');
    expect(r.errorStage).toBe('run');
    expect(r.error).toBe('case #0 ran past its budget of 500 instructions: is there a loop that never ends, or a jump back into the harness?');
    expect(r.cases.failed).toBe(20);
  });

  it('an exception inside the CPU is an error result, not a crash', () => {
    const broken: typeof ports = {
      ...ports,
      machines: { create: (o) => { const m = ports.machines.create(o); m.run = () => { throw new Error('emulator bug'); }; return m; } },
    };
    const r = gradeSubmission(exercise('  - { name: c, stop: hlt }'), '.globl f\nf: ret\n', broken);
    expect(r).toMatchObject({ status: 'error', errorStage: 'engine', passed: false, score: 0, error: 'the engine could not grade this file: emulator bug' });
  });

  it('code too large for its place is a diagnostic, not a crash', () => {
    const r = gradeSubmission(exercise('  - { name: c, stop: hlt }'), '.globl f\nf: ret\n.fill 0x20000, 1, 0x90\n', ports);
    expect(r.status).toBe('error');
    expect(r.diagnostics.map((d) => d.message)).toEqual(['.text is 131073 bytes; this exercise has room for 65536 bytes there']);
  });

  it('a missing entry point is a diagnostic, not a crash', () => {
    const r = gradeSubmission(exercise('  - { name: c, stop: hlt }'), 'g: ret\n', ports);
    expect(r.status).toBe('error');
    expect(r.errorStage).toBe('assemble');
    expect(r.diagnostics.map((d) => d.message)).toEqual(['`f` is not defined: the exercise calls `f`, so write a label `f:` (and `.globl f`)']);
  });

  it.each([
    ['an unknown name in a check', '  - { name: c, expect: "box.c == 1" }', 'pack/t/exercise.yaml: checks[0].expect: `box.c`: region `box` has no field `c`'],
    ['an unknown input', '  - { name: c, expect: "rax == in.nope" }', 'pack/t/exercise.yaml: checks[0].expect: `in.nope`: no such input (inputs: in.rax, in.rbx, in.box.a, in.<register>, in.<region>.<field>)'],
    ['for_each on a plain region', '  - { name: c, for_each: stack, expect: "stack.{field} == 0" }', 'pack/t/exercise.yaml: checks[0].for_each: `stack` is not a memory region with a struct type'],
    ['writes_only names an unknown region', '  - { name: c, writes_only: [heap] }', 'pack/t/exercise.yaml: checks[0].writes_only: no memory region `heap`'],
  ])('%s is reported when the exercise is prepared', (_name, check, message) => {
    expect(() => exercise(check)).toThrow(message);
  });
});

describe('protected32', () => {
  it('grades 32-bit code: registers hold 32-bit values, structs keep their layout', () => {
    const spec = `id: p\ntitle: P\nmode: protected32\nentry: f\ncases: 30\ntypes:\n  pair: { fields: [{ lo: 4 }, { hi: 4 }] }\nmemory:\n  pair: { at: 0x20000, type: pair, expose: true }\n  stack: { at: 0x70000, size: 0x1000 }\nrandom:\n  rax: u64\n  rbx: u32\nchecks:\n  - { name: stores, expect: "pair.lo == in.rax && pair.hi == in.rbx && in.rax < 0x100000000" }\n  - { name: keeps ebx, preserved: [rbx, rsp] }\n`;
    const files = new Map([['p/exercise.yaml', spec], ['p/README.md', ''], ['p/starter.s', ''], ['p/solution.s', '']]);
    const px = prepareExercise(loadExercise(files, 'p', 'pack'), ports.assembler);
    expect(px.learnerSymbols.PAIR_HI).toBe(4);
    const good = gradeSubmission(px, '.globl f\nf:\n  movl %eax, pair + PAIR_LO\n  movl %ebx, pair + PAIR_HI\n  ret\n', ports);
    expect(good.status).toBe('pass');
    const bad = gradeSubmission(px, '.globl f\nf:\n  movl %ebx, pair + PAIR_LO\n  xorl %ebx, %ebx\n  ret\n', ports);
    expect(bad.checks.map((c) => c.passed)).toEqual([false, false]);
  });
});

describe('determinism and the minimizer', () => {
  const px = exercise('  - { name: c, expect: "box.b == in.rax" }');

  it('the same seed gives the same result, another seed other cases', () => {
    const source = '.globl f\nf:\n  mov %rbx, 8(%rdi)\n  ret\n';
    const a = gradeSubmission(px, source, ports, { seed: 7n });
    expect(gradeSubmission(px, source, ports, { seed: 7n })).toEqual(a);
    expect(gradeSubmission(px, source, ports, { seed: 8n }).checks[0].failure?.inputs).not.toEqual(a.checks[0].failure?.inputs);
  });

  it('shrinks a failing case to the simplest inputs that still fail', () => {
    const r = gradeSubmission(px, '.globl f\nf:\n  mov %rbx, 8(%rdi)\n  ret\n', ports, { seed: 7n });
    expect(r.checks[0].failure?.minimized).toEqual({ rax: '0x0', rbx: '0x1', 'box.a': '0x0' });
  });

  it('keeps inputs the failure depends on', () => {
    const source = '.globl f\nf:\n  cmp $0x1000, %rbx\n  jb 1f\n  mov %rax, 8(%rdi)\n1: ret\n';
    const r = gradeSubmission(px, source, ports, { seed: 7n });
    expect(r.status).toBe('fail');
    expect(r.checks[0].failure?.minimized).toEqual({ rax: '0x1', rbx: '0x0', 'box.a': '0x0' });
  });
});

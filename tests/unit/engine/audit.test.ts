/**
 * The grader audit on small exercises: a scratch register is judged by where its value went, a
 * graded register reported elsewhere first is a wrong location, a dropped pop before a return
 * claims no register, a weak check lets a mutant survive, and a failing reference is refused.
 */
import { describe, expect, it } from 'vitest';
import { realPorts } from '../../../exercises/engine/adapters.ts';
import { auditExercise, auditSummary } from '../../../exercises/engine/audit.ts';
import { loadExercise, prepareExercise } from '../../../exercises/engine/index.ts';
import { mutants } from '../../../exercises/engine/mutate.ts';

const ports = realPorts();

const SPEC = `mode: long64
types:
  pair: { prefix: CTX, fields: [a, b] }
memory:
  ctx: { at: 0x20000, type: pair }
  stack: { at: 0x70000, size: 0x1000 }
random:
  ctx.a: u64
registers:
  rdi: "&ctx"
`;

function exercise(checks: string, solution: string) {
  const files = new Map([
    ['t/exercise.yaml', `id: t\ntitle: T\nentry: f\ncases: 12\nbudget: 500\n${SPEC}checks:\n${checks}`],
    ['t/README.md', ''],
    ['t/starter.s', ''],
    ['t/solution.s', `.globl f\nf:\n${solution}\n`],
  ]);
  return prepareExercise(loadExercise(files, 't', 'pack'), ports.assembler);
}

const COPY = '  movq CTX_A(%rdi), %rax\n  movq %rax, CTX_B(%rdi)\n  ret';
const DROP_LOAD = 'drop: movq CTX_A(%rdi), %rax => (nothing)';

describe('auditExercise', () => {
  it('judges a scratch register by where its value went: the field named first is right', () => {
    const px = exercise('  - { name: copied, expect: "ctx.b == in.ctx.a" }\n  - { name: kept, expect: "ctx.a == in.ctx.a" }\n', COPY);
    const audit = auditExercise(px, ports, { cases: 2 });
    expect(audit.mutants.killed).toBeGreaterThan(0);
    expect(audit.wrongLocation).toEqual([]);
    expect(audit.survivors).toEqual([]);
  });

  it('reports a graded register left wrong whose first message names another place', () => {
    const px = exercise('  - { name: copied, expect: "ctx.b == in.ctx.a" }\n  - { name: returned, expect: "rax == in.ctx.a" }\n', COPY);
    const audit = auditExercise(px, ports, { cases: 2 });
    const wrong = audit.wrongLocation.find((w) => w.id === DROP_LOAD);
    expect(wrong?.expected).toEqual(['rax']);
    expect(wrong?.message).toContain('ctx.b');
    expect(auditSummary([audit]).wrongLocationMessages).toBe(audit.wrongLocation.length);
  });

  it('lets a mutant survive a check too weak to see it, and shows its diff', () => {
    const px = exercise('  - { name: copied, expect: "ctx.b == in.ctx.a || ctx.b != in.ctx.a" }\n', COPY);
    const audit = auditExercise(px, ports, { cases: 2 });
    expect(audit.survivors.map((s) => s.id)).toContain(DROP_LOAD);
    expect(audit.survivors.find((s) => s.id === DROP_LOAD)?.diff).toBe('- 3:   movq CTX_A(%rdi), %rax\n+ 3: ');
    expect(audit.neverFalsified).toEqual(['copied']);
  });

  it('lets no mutant pass as equivalent that changes a struct field no check reads', () => {
    const px = exercise('  - { name: kept, expect: "ctx.a == in.ctx.a" }\n', COPY);
    const audit = auditExercise(px, ports, { cases: 2 });
    expect(audit.survivors.find((s) => s.id === DROP_LOAD)).toMatchObject({ changed: ['ctx.b'], unread: true });
    const scratch = exercise('  - { name: copied, expect: "ctx.b == in.ctx.a" }\n', `${COPY.replace('  ret', '  movq $7, %rcx\n  ret')}`);
    expect(auditExercise(scratch, ports, { cases: 2 }).survivors).toEqual([]);
  });

  it('counts a check that only a mistake fails as falsified', () => {
    const checks = '  - { name: copied, expect: "ctx.b == in.ctx.a" }\n  - { name: no push, forbids: [push] }\n';
    const px = exercise(checks, COPY);
    expect(auditExercise(px, ports, { cases: 2 }).neverFalsified).toEqual(['no push']);
    const mistake = `.globl f\nf:\n  pushq %rbx\n  popq %rbx\n${COPY}\n`;
    expect(auditExercise(px, ports, { cases: 2, mistakes: new Map([['push.s', mistake]]) }).neverFalsified).toEqual([]);
  });

  it('refuses a reference that fails its own checks', () => {
    const px = exercise('  - { name: copied, expect: "ctx.b == in.ctx.a + 1" }\n', COPY);
    expect(() => auditExercise(px, ports, { cases: 2 })).toThrow(/solution\.s does not pass the audit's cases \("copied"/);
  });
});

describe('mutants', () => {
  it('claims no register for a dropped pop before a return: the return reads the wrong slot', () => {
    const px = exercise('  - { name: copied, expect: "ctx.b == in.ctx.a" }\n', COPY);
    const source = '.globl f\nf:\n  pushq %rbx\n  popq %rbx\n  movq $1, %rcx\n  ret\n';
    expect(mutants(source, px).find((m) => m.id === 'drop: popq %rbx => (nothing)')?.wrong).toBeUndefined();
    const noReturn = '.globl f\nf:\n  pushq %rbx\n  popq %rbx\n  hlt\n';
    expect(mutants(noReturn, px).find((m) => m.id === 'drop: popq %rbx => (nothing)')?.wrong).toEqual(['rbx']);
  });
});

/**
 * What a failed check says: the real location (a bare register is not a struct field), where the
 * value came from (a register never loaded is "never loaded", not a swap), which part of an `&&`
 * failed with its value, a triple fault's first fault and line, a stop's ring, 32-bit names.
 */
import { describe, expect, it } from 'vitest';
import { realPorts } from '../../../exercises/engine/adapters.ts';
import { formatResult, gradeSubmission, loadExercise, prepareExercise, toCheckJson } from '../../../exercises/engine/index.ts';

const ports = realPorts();

function mini(spec: string, harness?: string) {
  const files = new Map([['t/exercise.yaml', `id: t\ntitle: T\nentry: f\ncases: 12\nbudget: 500\n${spec}`], ['t/README.md', ''], ['t/starter.s', ''], ['t/solution.s', '']]);
  if (harness) files.set('t/harness.s', harness);
  return prepareExercise(loadExercise(files, 't', 'pack'), ports.assembler);
}

const REGS_SPEC = `mode: long64
types:
  regs: { fields: [rax, rbx] }
memory:
  ctx: { at: 0x20000, type: regs }
  stack: { at: 0x70000, size: 0x1000 }
random:
  ctx.rax: u64
  ctx.rbx: u64
  rbx: u64
registers:
  rdi: "&ctx"
`;

const failing = (px: ReturnType<typeof mini>, body: string) => {
  const r = gradeSubmission(px, `.globl f\nf:\n${body}\n`, ports, { minimizeRuns: 0 });
  return r.checks.filter((c) => !c.passed).map((c) => c.message);
};

describe('a failed comparison names the real location and origin', () => {
  it('a register compared with a field is named as the register, and one never loaded is "never loaded"', () => {
    const px = mini(`${REGS_SPEC}checks:\n  - { name: regs, for_each: ctx, expect: "{field} == in.ctx.{field}" }\n`);
    const [message] = failing(px, '  movq (%rdi), %rax\n  ret');
    expect(message).toMatch(/^rbx holds 0x[0-9a-f]+, expected 0x[0-9a-f]+ \(in\.ctx\.rbx\): rbx still holds what it held when your code was called, so your code never loaded rbx$/);
    expect(message).not.toContain('ctx.rbx (offset');
  });

  it('a value the harness left in a register is not reported as a swap', () => {
    const harness = '.globl _start\n_start:\n  movq ctx + REGS_RBX, %rax\n  call f\n  hlt\n';
    const px = mini(`${REGS_SPEC}checks:\n  - { name: rax, expect: "rax == in.ctx.rax" }\n`, harness);
    const [message] = failing(px, '  ret');
    expect(message).toMatch(/: rax still holds what it held when your code was called, so your code never loaded rax$/);
    expect(message).not.toContain('went where');
  });

  it('a real swap is still named as one', () => {
    const px = mini(`${REGS_SPEC}checks:\n  - { name: rax, expect: "rax == in.ctx.rax" }\n`);
    expect(failing(px, '  movq 8(%rdi), %rax\n  ret')[0]).toMatch(/: that is the value ctx\.rbx had at the start, so ctx\.rbx went where rax belongs$/);
  });

  it('an && check says which part failed and its value', () => {
    const px = mini(`${REGS_SPEC}checks:\n  - { name: both, expect: "ctx.rax == in.ctx.rax && ctx.rbx == 0x23" }\n`);
    expect(failing(px, '  movq $0x20, 8(%rdi)\n  ret')[0]).toBe('ctx.rbx (offset 0x8) holds 0x20, expected 0x23 (the part of `ctx.rax == in.ctx.rax && ctx.rbx == 0x23` that fails)');
  });

  it('an || check with a guard blames the guarded comparison', () => {
    const px = mini(`${REGS_SPEC}checks:\n  - { name: guarded, expect: "in.ctx.rax == 0x5 || rax == 0x7" }\n`);
    expect(failing(px, '  movl $0x6, %eax\n  ret')[0]).toBe('rax holds 0x6, expected 0x7 (the part of `in.ctx.rax == 0x5 || rax == 0x7` that fails)');
  });

  it('a parenthesized side is shown balanced', () => {
    const px = mini(`${REGS_SPEC}checks:\n  - { name: flags, expect: "rax == ((in.ctx.rax & 0xcd5) | 0x202)" }\n`);
    expect(failing(px, '  xorl %eax, %eax\n  ret')[0]).toMatch(/^rax holds 0x0, expected 0x[0-9a-f]+ \(\(\(in\.ctx\.rax & 0xcd5\) \| 0x202\)\)/);
  });

  it('a check that is not a comparison shows the values it read', () => {
    const px = mini(`${REGS_SPEC}checks:\n  - { name: bit, expect: "bit(rax, 3)" }\n`);
    expect(failing(px, '  xorl %eax, %eax\n  ret')[0]).toBe('`bit(rax, 3)` does not hold (rax is 0x0)');
  });
});

describe('how a run stopped', () => {
  it('a triple fault names the first fault, its line and the chain', () => {
    const px = mini(`${REGS_SPEC}exceptions: idt\nchecks:\n  - { name: ends, stop: hlt }\n`);
    const [message] = failing(px, '  subq $16, %rsp\n  movw $0, (%rsp)\n  movq $0, 2(%rsp)\n  lidt (%rsp)\n  ud2');
    expect(message).toMatch(/^the run should end with hlt, but it ended with a triple fault: it began with #UD: UD2[^;]*, at line 7 of your file; delivering it raised #GP/);
    expect(message).toContain('#DF');
  });

  it('a stop check with a ring fails on the right fault in the wrong ring', () => {
    const px = mini(`${REGS_SPEC}checks:\n  - { name: user hlt, stop: fault, vector: 6, cpl: 3 }\n`);
    expect(failing(px, '  ud2')[0]).toMatch(/^the run should end with a fault \(vector 6\) in ring 3, but it ended with #UD: .* in ring 0$/);
  });
});

describe('32-bit exercises speak of 32-bit registers', () => {
  const spec = `mode: protected32
types:
  regs: { fields: [eax: 4, ebx: 4] }
memory:
  ctx: { at: 0x20000, type: regs }
  stack: { at: 0x70000, size: 0x1000 }
random:
  ctx.eax: u32
  ctx.ebx: u32
  rbx: u32
registers:
  rdi: "&ctx"
checks:
  - { name: regs, for_each: ctx, expect: "{field} == in.ctx.{field}" }
  - { name: keeps ebx, preserved: [rbx] }
`;
  it('in a comparison and in preserved', () => {
    const px = mini(spec);
    const messages = failing(px, '  movl (%edi), %eax\n  movl 4(%edi), %ebx\n  ret');
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/^ebx was 0x[0-9a-f]+ when your code was called and 0x[0-9a-f]+ afterwards: it must be preserved \(save it and restore it before returning\): that is the value ctx\.ebx had at the start, so ctx\.ebx went where ebx belongs$/);
    expect(failing(px, '  movl (%edi), %eax\n  ret')[0]).toMatch(/^ebx holds 0x[0-9a-f]+, expected 0x[0-9a-f]+ \(in\.ctx\.ebx\): ebx still holds what it held when your code was called, so your code never loaded ebx$/);
  });
});

describe('the result of a check', () => {
  const px = mini(`${REGS_SPEC}checks:\n  - { name: first, expect: "rax == 1", hint: "load one" }\n  - { name: second, expect: "rbx == 2", hint: "load two" }\n  - { name: third, expect: "rcx == 3" }\n`);

  it('text lists the hints of every failing check, the first in full', () => {
    const text = formatResult(gradeSubmission(px, '.globl f\nf:\n  ret\n', ports, { minimizeRuns: 0 }));
    expect(text).toContain('       hint: load one\n');
    expect(text).toContain('  hints for the other failing checks:\n    second: load two\n');
  });

  it('JSON has a status, every failing check\'s hint, and a file that does not assemble fails every case', () => {
    const failed = toCheckJson(gradeSubmission(px, '.globl f\nf:\n  ret\n', ports, { minimizeRuns: 0 })) as { status: string; checks: { hint?: string }[] };
    expect(failed.status).toBe('fail');
    expect(failed.checks.map((c) => c.hint)).toEqual(['load one', 'load two', undefined]);
    const broken = toCheckJson(gradeSubmission(px, '.globl f\nf:\n  movq %rax\n', ports)) as { status: string; cases: { total: number; failed: number } };
    expect(broken.status).toBe('error');
    expect(broken.cases).toMatchObject({ total: 12, failed: 12 });
    expect((toCheckJson(gradeSubmission(px, '.globl f\nf:\n  movl $1, %eax\n  movl $2, %ebx\n  movl $3, %ecx\n  ret\n', ports)) as { status: string }).status).toBe('pass');
  });
});

import { describe, expect, it } from 'vitest';
import { realPorts } from '../../../exercises/engine/adapters.ts';
import { CaseRunner, gradeSubmission, loadExercise, prepareExercise } from '../../../exercises/engine/index.ts';
import { SYSTEM_AREA } from '../../../exercises/engine/system.ts';
import { gate64, descriptorBytes, longModeGdt, tss64 } from '../../../emulator/layout/index.ts';

const ports = realPorts();

function exercise(machine: string, checks = '  - { name: c, stop: hlt }', mode = 'long64') {
  const spec = `id: t\ntitle: T\nmode: ${mode}\nentry: f\ncases: 3\nbudget: 100\nmemory:\n  stack: { at: 0x70000, size: 0x1000 }\nmachine: ${machine}\nchecks:\n${checks}\n`;
  const files = new Map([['t/exercise.yaml', spec], ['t/README.md', ''], ['t/starter.s', ''], ['t/solution.s', '']]);
  return prepareExercise(loadExercise(files, 't', 'pack'), ports.assembler);
}

describe('machine building blocks', () => {
  it('places a flat GDT with a busy TSS, the TSS, recording IDT gates and identity page tables', () => {
    const px = exercise('{ gdt: flat, idt: record, paging: identity, tss: { rsp0: 0x9000, ist1: 0xa000 } }');
    const runner = new CaseRunner(px, ports);
    const code = { asm: ports.assembler.assemble('.globl f\nf: ret\n', { bits: 64, symbols: {}, sectionBases: px.learnerBases }), symbols: {}, trampolines: [] };
    runner.run({ ...code, symbols: { f: px.learnerBases['.text'] } }, new Map());
    const m = runner.machine;
    const gdt = longModeGdt(SYSTEM_AREA.tss);
    gdt[0x30 + 5] |= 2;
    for (const sel of [0x08, 0x10, 0x18, 0x20, 0x28]) gdt[sel + 5] |= 1; // code and data descriptors start accessed
    expect(m.readBytes(SYSTEM_AREA.gdt, gdt.length)).toEqual(gdt);
    expect(m.readBytes(SYSTEM_AREA.tss, 0x68)).toEqual(tss64({ rsp: [0x9000n], ist: [0xa000n] }));
    expect(px.harnessSymbols.trap_handlers).toBe(SYSTEM_AREA.stubs);
    const gate = m.readBytes(SYSTEM_AREA.idt + 13 * 16, 16);
    const offset = Number(new DataView(gate.buffer, gate.byteOffset).getUint16(0, true)) | (new DataView(gate.buffer, gate.byteOffset).getUint16(6, true) << 16);
    expect(descriptorBytes(gate64({ offset, selector: 0x08, kind: 'interrupt', dpl: 3 }))).toEqual(gate);
    expect(offset).toBeGreaterThan(SYSTEM_AREA.stubs);
    const pml4 = new DataView(m.readBytes(SYSTEM_AREA.paging, 8).buffer).getBigUint64(0, true);
    expect(pml4 & 0x7n).toBe(0x7n);
  });

  it('exposes the trap record as a struct to the harness and the checks', () => {
    const px = exercise('{ idt: record }', '  - { name: c, expect: "trap.vector == 5 && trap.hit == 0 && sizeof(trap) == 64" }');
    px.exercise.harness = '.globl _start\n_start:\n  movq $5, trap + TRAP_VECTOR\n  call f\n  hlt\n';
    const again = prepareExercise(px.exercise, ports.assembler);
    expect(gradeSubmission(again, '.globl f\nf: ret\n', ports).status).toBe('pass');
  });

  it.each([
    ['int3', 'int3\n  ret', 'trap.vector == 3 && trap.error == 0 && trap.rip == sym.f + 1 && trap.cs == 8 && trap.hit == 1'],
    ['#GP with an error code', 'mov $0x1b, %ax\n  mov %ax, %ss', 'trap.vector == 13 && trap.error == 0x18 && trap.rip == sym.f + 4 && trap.hit == 1'],
    ['#PF beyond the mapped memory', 'movq (0x40000000), %rax', 'trap.vector == 14 && trap.error == 0 && trap.rip == sym.f && trap.hit == 1'],
  ])('the recording IDT catches %s', (_name, body, expectation) => {
    const px = exercise('{ gdt: flat, idt: record, paging: identity }', `  - { name: c, expect: "${expectation}" }\n  - { name: h, stop: hlt }`);
    px.exercise.spec.exceptions = 'idt';
    const ready = prepareExercise(px.exercise, ports.assembler);
    const r = gradeSubmission(ready, `.globl f\nf:\n  ${body}\n`, ports);
    expect(r.checks.map((c) => [c.name, c.passed, c.message])).toEqual([['c', true, 'passed'], ['h', true, 'passed']]);
  });

  const longTables = ['  movq $0x9003, 0x8000', '  movq $0xa003, 0x9000', '  movq $0x83, 0xa000', '  movq $0x8000, %rax', '  movq %rax, %cr3'];
  // 32-bit paging: one page table identity-mapping the first 2 MiB (SDM Vol. 3A, 4.3), then CR0.PG.
  const protectedTables = ['  movl $0x9003, 0x8000', '  xorl %ecx, %ecx', '1: movl %ecx, %eax', '  shll $12, %eax', '  orl $3, %eax', '  movl %eax, 0x9000(,%ecx,4)',
    '  incl %ecx', '  cmpl $0x200, %ecx', '  jne 1b', '  movl $0x8000, %eax', '  movl %eax, %cr3', '  movl %cr0, %eax', '  orl $0x80000000, %eax', '  movl %eax, %cr0'];
  it.each([
    ['long64 walks the tables the harness loads into CR3 (paging: harness)', '{ paging: harness }', 'long64', longTables, true],
    ['long64 walks them without a `machine:` block too, as the CPU would', '{}', 'long64', longTables, true],
    ['long64 stays identity-mapped while CR3 is 0', '{}', 'long64', [], false],
    ['protected32 walks the tables once the harness sets CR0.PG', '{}', 'protected32', protectedTables, true],
    ['protected32 stays unpaged while CR0.PG is clear', '{}', 'protected32', protectedTables.slice(0, -3), false],
  ])('paging: %s', (_name, machine, mode, tables, faults) => {
    const px = exercise(machine, '  - { name: c, stop: fault, vector: 14 }', mode);
    px.exercise.harness = ['.globl _start', '_start:', ...tables, '  call f', '  hlt'].join('\n');
    px.exercise.spec.budget = 5000;
    const ready = prepareExercise(px.exercise, ports.assembler);
    const body = mode === 'long64' ? 'movq 0x200000, %rax' : 'movl 0x200000, %eax';
    const r = gradeSubmission(ready, `.globl f\nf:\n  ${body}\n  ret\n`, ports);
    expect(r.status, r.error).not.toBe('error');
    expect(r.checks[0].passed, r.checks[0].message).toBe(faults);
  });

  it('a case starts with CR3 at 0 whatever the previous case loaded', () => {
    const px = exercise('{}', '  - { name: c, stop: hlt }');
    // The harness loads tables only on even cases (rdi odd on odd ones); an inherited CR3 would fault the odd ones once the tables are zeroed.
    px.exercise.spec.random = { rdi: { choice: [0n, 1n] } };
    px.exercise.spec.memory.tables = { at: 0x8000, size: 0x3000, access: 'rw', expose: false };
    px.exercise.harness = ['.globl _start', '_start:', '  testq %rdi, %rdi', '  jnz 2f', ...longTables, '2: call f', '  hlt'].join('\n');
    px.exercise.spec.cases = 20;
    const ready = prepareExercise(px.exercise, ports.assembler);
    const r = gradeSubmission(ready, '.globl f\nf:\n  movq 0x100000, %rax\n  ret\n', ports);
    expect(r.checks[0].message).toBe('passed');
  });

  it.each([
    ['a TSS without a GDT', '{ tss: { rsp0: 0x9000 } }', 'long64', 'pack/t/exercise.yaml: machine.tss: a TSS needs `gdt: flat` (its descriptor lives in the GDT)'],
    ['paging in protected mode', '{ paging: identity }', 'protected32', 'pack/t/exercise.yaml: machine.paging: identity paging is available in long64 only for now'],
    ['an IST in a 32-bit TSS', '{ gdt: flat, tss: { ist1: 0x9000 } }', 'protected32', 'pack/t/exercise.yaml: machine.tss.ist1: 32-bit TSSs have no interrupt stack table'],
  ])('%s is refused', (_name, machine, mode, message) => {
    expect(() => exercise(machine, undefined, mode)).toThrow(message);
  });

  it('a region over the system area is an overlap error', () => {
    const spec = `id: t\ntitle: T\nmode: long64\nentry: f\ncases: 1\nmemory:\n  low: { at: 0x1000, size: 0x100 }\nmachine: { gdt: flat }\nchecks:\n  - { name: c, stop: hlt }\n`;
    const files = new Map([['t/exercise.yaml', spec], ['t/README.md', ''], ['t/starter.s', ''], ['t/solution.s', '']]);
    expect(() => prepareExercise(loadExercise(files, 't', 'pack'), ports.assembler)).toThrow(/memory\.(low|gdt): overlaps memory\.(low|gdt)/);
  });

  it('builds 32-bit tables in protected mode', () => {
    const px = exercise('{ gdt: flat, idt: record, tss: { rsp0: 0x9000 } }', undefined, 'protected32');
    expect(px.regions.get('idt')?.size).toBe(256 * 8);
    expect(px.system.state.tr).toEqual({ selector: 0x28, base: SYSTEM_AREA.tss, limit: 0x67 });
  });
});

describe('case isolation', () => {
  it('a hardware breakpoint armed in one case is gone in the next', () => {
    // rdi = 0: the learner's code arms an execute breakpoint on `g` and disarms nothing; rdi = 1 calls g.
    const px = exercise('{}', '  - { name: c, stop: hlt }');
    px.exercise.spec.random = { rdi: { choice: [0n, 1n] } };
    px.exercise.spec.cases = 20;
    const ready = prepareExercise(px.exercise, ports.assembler);
    const source = '.globl f\nf:\n  test %rdi, %rdi\n  jnz 1f\n  lea g(%rip), %rax\n  mov %rax, %dr0\n  mov $1, %eax\n  mov %rax, %dr7\n  ret\n1: call g\n  ret\ng: ret\n';
    const r = gradeSubmission(ready, source, ports, { minimizeRuns: 0 });
    expect(r.checks[0].message).toBe('passed');
  });
});

describe('machine.timer', () => {
  const timed = (timer: string, extra = '', checks = '  - { name: c, expect: "trap.vector == 40 && trap.hit == 1 && instructions >= in.period" }') => {
    const spec = `id: t\ntitle: T\nmode: long64\nentry: f\ncases: 20\nbudget: 500\nexceptions: idt\n${extra}random:\n  period: { range: [5, 60] }\nmemory:\n  stack: { at: 0x70000, size: 0x1000 }\nmachine: { gdt: flat, idt: record, timer: ${timer} }\nchecks:\n${checks}\n`;
    const files = new Map([['t/exercise.yaml', spec], ['t/README.md', ''], ['t/starter.s', ''], ['t/solution.s', '']]);
    return prepareExercise(loadExercise(files, 't', 'pack'), ports.assembler);
  };

  it.each([
    ['delivers the vector once IF is set, after the period drawn for the case', '{ vector: 40, every: "in.period" }', 'sti\n1: jmp 1b', 'pass'],
    ['waits while IF is clear: the loop runs past its budget', '{ vector: 40, every: "in.period" }', '1: jmp 1b', 'error'],
    ['a fixed period works as well', '{ vector: 40, every: 7 }', 'sti\n1: jmp 1b', 'pass', '  - { name: c, expect: "trap.vector == 40 && instructions == 7 + 12" }'],
  ])('%s', (_name, timer, body, status, checks?: string) => {
    const r = gradeSubmission(timed(timer, '', checks), `.globl f\nf:\n  ${body}\n`, ports, { minimizeRuns: 0 });
    expect(r.status, `${r.error ?? ''} ${r.checks.map((c) => c.message).join('; ')}`).toBe(status);
  });

  it('ticks exactly every period: the handler sees the count of instructions it should', () => {
    // The tick comes once `period` instructions have retired (call, jmp to f, sti, the loop), then the
    // recording handler runs 12 (two pushes, jmp, seven pops, mov, hlt); it interrupts the loop at f + 1.
    const px = timed('{ vector: 40, every: "in.period" }', '', '  - { name: c, expect: "trap.rip == sym.f + 1 && instructions == in.period + 12" }');
    const r = gradeSubmission(px, '.globl f\nf:\n  sti\n1: jmp 1b\n', ports, { minimizeRuns: 0 });
    expect(r.checks[0].message).toBe('passed');
  });

  it.each([
    ['a vector the CPU reserves', '{ vector: 3, every: 10 }', 'machine.timer.vector: a device interrupts with a vector from 32 to 255'],
    ['a period of no instructions', '{ vector: 40, every: 0 }', 'a timer period is at least 1 instruction'],
    ['a period naming an unknown input', '{ vector: 40, every: "in.slice" }', 'machine.timer.every: `in.slice`: no such input'],
  ])('refuses %s', (_name, timer, message) => {
    expect(() => timed(timer)).toThrow(message);
  });

  it('an interrupt left pending at the end of one case is not delivered in the next', () => {
    // rdi = 0: 30 loop rounds with IF clear, so the tick at 20 is still pending at the final HLT.
    // rdi = 1: IF is set for one instruction, where only a tick left over from the last case could arrive.
    const px = timed('{ vector: 40, every: 20 }', '', '  - { name: c, expect: "trap.hit == 0" }\n  - { name: h, stop: hlt }');
    px.exercise.spec.random = { rdi: { choice: [0n, 1n] } };
    const ready = prepareExercise(px.exercise, ports.assembler);
    const r = gradeSubmission(ready, '.globl f\nf:\n  test %rdi, %rdi\n  jz 2f\n  sti\n  nop\n  cli\n  ret\n2: mov $30, %ecx\n3: loop 3b\n  ret\n', ports, { minimizeRuns: 0 });
    expect(r.checks.map((c) => c.message)).toEqual(['passed', 'passed']);
  });

  it('needs exceptions: idt', () => {
    expect(() => timed('{ vector: 40, every: 10 }', '').exercise).not.toThrow();
    const spec = 'id: t\ntitle: T\nmode: long64\nentry: f\ncases: 1\nmachine: { timer: { vector: 40, every: 10 } }\nchecks:\n  - { name: c, stop: hlt }\n';
    const files = new Map([['t/exercise.yaml', spec], ['t/README.md', ''], ['t/starter.s', '']]);
    expect(() => prepareExercise(loadExercise(files, 't', 'pack'), ports.assembler)).toThrow('machine.timer: a timer interrupt is delivered through the IDT: add `exceptions: idt`');
  });

  it('a period that evaluates to 0 for a case is named as the spec\'s error', () => {
    const px = timed('{ vector: 40, every: "in.period - 5" }');
    const r = gradeSubmission(px, '.globl f\nf:\n  sti\n1: jmp 1b\n', ports, { minimizeRuns: 0 });
    expect(r.status).toBe('error');
    expect(r.error).toContain('machine.timer.every evaluated to 0 for this case');
  });
});

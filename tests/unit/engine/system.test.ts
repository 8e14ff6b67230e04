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

  it.each([
    ['walks the tables the harness loads into CR3', '{ paging: harness }', true],
    ['stays identity-mapped without it', '{}', false],
  ])('paging: harness %s', (_name, machine, faults) => {
    const px = exercise(machine, '  - { name: c, stop: fault, vector: 14 }');
    px.exercise.harness = [
      '.globl _start', '_start:',
      '  movq $0x9003, 0x8000', '  movq $0xa003, 0x9000', '  movq $0x83, 0xa000',
      '  movq $0x8000, %rax', '  movq %rax, %cr3', '  call f', '  hlt',
    ].join('\n');
    const r = gradeSubmission(prepareExercise(px.exercise, ports.assembler), '.globl f\nf:\n  movq 0x200000, %rax\n  ret\n', ports);
    expect(r.checks[0].passed).toBe(faults);
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

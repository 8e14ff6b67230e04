import { describe, expect, it } from 'vitest';
import { IDT, PROLOGUE, kernel } from '../debug/system.ts';
import { concatBytes, descriptorBytes, gate64 } from '../../../emulator/layout/index.ts';

// Decoded gates and descriptors are cached; a processor reads the tables on every use, so each
// way of changing a table between two uses must be seen by the second one.
const HANDLERS = `
a:
    inc %rbx
    iretq
b:
    add $10, %rbx
    iretq
np:
    mov $7, %r12
    hlt
`;

function run(source: string) {
  const k = kernel(`    .text\n${PROLOGUE}\n${source}\n${HANDLERS}`, [
    { vector: 0x80, label: 'a' },
    { vector: 11, label: 'np' },
  ]);
  const r = k.dbg.continue();
  return { ...k, r };
}

describe('the descriptor-table cache', () => {
  it.each([
    ['a 16-bit store to the gate offset', `lea b(%rip), %rax\n    movw %ax, ${IDT + 0x80 * 16}`],
    ['a 64-bit store over the gate\'s low half', `mov ${IDT + 0x80 * 16}, %rax\n    lea b(%rip), %rcx\n    mov %cx, %ax\n    mov %rax, ${IDT + 0x80 * 16}`],
  ])('sees %s made by the kernel between two INTs', (_, change) => {
    const { machine, r } = run(`
    int $0x80
    int $0x80
    ${change}
    int $0x80
    hlt`);
    expect(r.reason).toBe('hlt');
    expect(machine.getRegister('rbx')).toBe(12n);
  });

  it('sees a gate rewritten from outside (machine.load) between runs', () => {
    const { machine, dbg, r, address } = run(`
    int $0x80
    int $0x80
    hlt
again:
    int $0x80
    hlt`);
    expect(r.reason).toBe('hlt');
    machine.load(IDT + 0x80 * 16, concatBytes(descriptorBytes(gate64({ offset: address('b'), selector: 0x08, dpl: 0, ist: 0 }))));
    machine.setRegister('rip', BigInt(address('again')));
    dbg.stateEdited();
    expect(dbg.continue().reason).toBe('hlt');
    expect(machine.getRegister('rbx')).toBe(12n);
  });

  it('sees a gate made not present: the next INT raises #NP', () => {
    const { machine, r } = run(`
    int $0x80
    int $0x80
    andb $0x7f, ${IDT + 0x80 * 16 + 5}
    int $0x80
    hlt`);
    expect(r.reason).toBe('hlt');
    expect(machine.getRegister('rbx')).toBe(2n);
    expect(machine.getRegister('r12')).toBe(7n);
  });

  it('sees the handler\'s code descriptor made not present in the GDT', () => {
    const { machine, r } = run(`
    int $0x80
    int $0x80
    sgdt -16(%rsp)
    mov -14(%rsp), %rax
    andb $0x7f, 8+5(%rax)
    int $0x80
    hlt`);
    // #NP(0x08) is delivered through a gate whose code segment is that same descriptor: #NP again, then #DF, then a triple fault.
    expect(r.reason).toBe('triple-fault');
    expect(machine.getRegister('rbx')).toBe(2n);
  });
});

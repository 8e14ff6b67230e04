import { describe, expect, it } from 'vitest';
import { assemble } from '../../../emulator/asm/index.ts';

const cases: [source: string, line: number, column: number, message: string][] = [
  ['mov $1, %rxx', 1, 9, 'unknown register %rxx; did you mean %rax?'],
  ['iretq %rax', 1, 1, '`iretq` takes no operands'],
  ['movl %rax, (%rdi)', 1, 1, 'operand size mismatch: `movl` with 64-bit register %rax'],
  ['.intel_syntax noprefix\nmov [rdi], 1', 2, 1, 'ambiguous operand size for `mov`; write `mov qword ptr [rdi], 1`'],
  ['mov %eax, %rbx', 1, 1, 'operand size mismatch: `mov` with %rbx (64-bit) and %eax (32-bit)'],
  ['movx %eax, %ebx', 1, 1, 'unknown instruction `movx`'],
  ['jmp nowhere', 1, 5, 'undefined symbol `nowhere`'],
  ['a: nop\na: nop', 2, 1, 'symbol `a` is already defined on line 1'],
  ['int $256', 1, 1, 'immediate 0x100 is out of range for `int`'],
  ['add $0x100000000, %rax', 1, 1, 'immediate 0x100000000 is out of range for `add`'],
  ['mov 0x100000000(%rax), %ecx', 1, 1, '0x100000000 out of range of signed 32bit displacement'],
  ['.bogus 1', 1, 1, 'unknown directive `.bogus`'],
  ['.algin 4', 1, 1, 'did you mean `.align`?'],
  ['add $1', 1, 1, '`add` takes 2 operands, not 1'],
  ['mov (%rax,%rsp), %eax', 1, 5, '%rsp cannot be an index register'],
  ['mov (%rax,%rbx,3), %eax', 1, 16, 'scale factor must be 1, 2, 4 or 8'],
  ['.rept 100000000\nnop\n.endr', 1, 1, 'repeats too many times'],
  ['.macro r\nr\n.endm\nr', 2, 1, 'macros nested more than 100 deep'],
  ['.if 1\nnop', 1, 1, '`.if` without a matching `.endif`'],
  ['.endif', 1, 1, '`.endif` without a matching `.if`'],
  ['.macro m\nnop', 1, 1, '`.macro` without a matching `.endm`'],
  ['nop /* open', 1, 5, 'comment `/*` is never closed'],
  ['.code32\nmov %r8d, %eax', 2, 5, 'register %r8d exists only in 64-bit code'],
  ['loop 1f\n.fill 200, 1, 0x90\n1:', 1, 1, 'branch target is 200 bytes away'],
  ['jmp 1b', 1, 5, 'no local label `1:` before this `1b`'],
  ['.org 4\nnop\n.org 0', 3, 1, '`.org` cannot move the location backwards'],
  ['.ascii 5', 1, 8, '`.ascii` expects strings in double quotes'],
  ['.byte (1', 1, 9, 'expected `)`'],
  ['mov %eax,, %ebx', 1, 10, 'missing operand'],
  ['mov %eax, %ebx,', 1, 15, 'missing operand'],
  ['.intel_syntax noprefix\nmovl eax, 1', 2, 1, '`movl` is AT&T spelling'],
  ['.error "stop here"', 1, 1, 'stop here'],
  ['.equ K', 1, 1, '`.equ` takes a symbol name and a value'],
  ['.set A, B\n.set B, A\n.byte A', 1, 1, 'defined in terms of itself'],
  ['.intel_syntax noprefix\nmov eax, 0ffh', 2, 10, 'invalid number `0ffh`'],
  ['mov rax, rbx', 1, 5, '`rax` is a register: write %rax in AT&T syntax'],
  ['mov [rdi], %rax', 1, 5, '`[...]` is Intel syntax'],
  ['.intel_syntax noprefix\nmov rax, 8(%rdi)', 2, 10, '`(register)` is AT&T syntax'],
  ['.intel_syntax noprefix\nmov eax, 2*rcx[rbx]', 2, 12, 'register rcx must be inside the brackets'],
  ['.intel_syntax noprefix\nmov rax, $1', 2, 10, '`$1` is AT&T immediate syntax'],
  ['pushl %eax', 1, 1, 'invalid instruction suffix for `pushl` in 64-bit code'],
  ['push %eax', 1, 1, '`push` cannot take the 32-bit register %eax in 64-bit code'],
  ['lock addl %eax, %ebx', 1, 1, 'expecting lockable instruction after `lock`'],
  ['lock movl %eax, (%rbx)', 1, 1, 'expecting lockable instruction after `lock`'],
  ['.intel_syntax noprefix\nmovs', 2, 1, 'ambiguous operand size for `movs`'],
  ['stos %al, %fs:(%rdi)', 1, 11, 'the destination of `stos` is always %es:(%rdi)'],
];

describe('diagnostics', () => {
  it.each(cases)('%j', (source, line, column, message) => {
    const r = assemble(source);
    expect(r.ok).toBe(false);
    const d = r.diagnostics.find((x) => x.severity === 'error' && x.message.includes(message));
    expect(d, `${JSON.stringify(r.diagnostics)}`).toBeDefined();
    expect([d!.line, d!.column]).toEqual([line, column]);
    expect(d!.endColumn).toBeGreaterThan(d!.column);
  });

  it('keeps checking the rest of the file after an error', () => {
    const r = assemble('bad1 %eax\nnop\nbad2\nmov $1, %rxx\nret');
    expect(r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.line)).toEqual([1, 3, 4]);
    expect(r.listing.map((l) => l.line)).toEqual([2, 5]);
  });

  it.each([
    ['inc (%rax)', 'using default `incl`'],
    ['.byte 300', 'value 0x12c truncated to 0x2c'],
    ['jmp %rax', 'indirect jmp without `*`'],
    ['.warning "careful"', 'careful'],
    ['mov $0x123456789, %eax', '0x123456789 shortened to 0x23456789'],
    ['andb $256, (%rax)', '0x100 shortened to 0x0'],
  ])('warns where GNU as warns: %s', (source, message) => {
    const r = assemble(source);
    expect(r.ok).toBe(true);
    expect(r.diagnostics.some((d) => d.severity === 'warning' && d.message.includes(message))).toBe(true);
  });

  it('points errors found at the end (undefined symbols) inside a macro at the body line, linking the invocation', () => {
    const r = assemble('.macro m\n  movl $undefined_thing, %eax\n.endm\n    m');
    const d = r.diagnostics.find((x) => x.severity === 'error')!;
    expect(d.message).toBe('undefined symbol `undefined_thing`');
    expect([d.line, d.column, d.endColumn]).toEqual([2, 9, 24]);
    expect(d.related).toEqual([{ line: 4, column: 5, endLine: 4, endColumn: 6, message: 'in macro `m` at line 2, invoked from line 4' }]);
  });

  it('points errors inside a macro at the body line', () => {
    const r = assemble('.macro m\nmov $1, %rxx\n.endm\n  m');
    const d = r.diagnostics.find((x) => x.severity === 'error')!;
    expect([d.line, d.column, d.endColumn]).toEqual([2, 9, 13]);
  });
});

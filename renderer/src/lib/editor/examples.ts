/** Preferred assembly syntax (the settings' choice) for examples shown in the editor and debugger. */
export type SyntaxPreference = 'att' | 'intel';

/** One typical use of each instruction the exercises lean on, in both GNU as syntaxes. */
const EXAMPLES: Record<string, { att: string; intel: string }> = {
  MOV: { att: 'movq %rax, 8(%rdi)', intel: 'mov qword ptr [rdi + 8], rax' },
  PUSH: { att: 'pushq %rbx', intel: 'push rbx' },
  POP: { att: 'popq %rbx', intel: 'pop rbx' },
  LEA: { att: 'leaq 16(%rsp), %rax', intel: 'lea rax, [rsp + 16]' },
  ADD: { att: 'addq $8, %rsp', intel: 'add rsp, 8' },
  SUB: { att: 'subq $8, %rsp', intel: 'sub rsp, 8' },
  CMP: { att: 'cmpq $0, %rax', intel: 'cmp rax, 0' },
  TEST: { att: 'testb $3, 8(%rsp)', intel: 'test byte ptr [rsp + 8], 3' },
  AND: { att: 'andq $-16, %rsp', intel: 'and rsp, -16' },
  OR: { att: 'orq $1, %rax', intel: 'or rax, 1' },
  XOR: { att: 'xorl %eax, %eax', intel: 'xor eax, eax' },
  XCHG: { att: 'xchgq %rax, (%rdi)', intel: 'xchg qword ptr [rdi], rax' },
  CALL: { att: 'call handler', intel: 'call handler' },
  RET: { att: 'ret', intel: 'ret' },
  JMP: { att: 'jmp *%rax', intel: 'jmp rax' },
  IRETQ: { att: 'iretq', intel: 'iretq' },
  IRETD: { att: 'iretl', intel: 'iretd' },
  IRET: { att: 'iret', intel: 'iret' },
  SYSCALL: { att: 'syscall', intel: 'syscall' },
  SYSRETQ: { att: 'sysretq', intel: 'sysretq' },
  SYSRET: { att: 'sysretq', intel: 'sysretq' },
  SWAPGS: { att: 'swapgs', intel: 'swapgs' },
  PUSHAD: { att: 'pushal', intel: 'pushad' },
  POPAD: { att: 'popal', intel: 'popad' },
  PUSHFQ: { att: 'pushfq', intel: 'pushfq' },
  POPFQ: { att: 'popfq', intel: 'popfq' },
  LGDT: { att: 'lgdt gdt_descriptor(%rip)', intel: 'lgdt [rip + gdt_descriptor]' },
  LIDT: { att: 'lidt idt_descriptor(%rip)', intel: 'lidt [rip + idt_descriptor]' },
  LTR: { att: 'ltr %ax', intel: 'ltr ax' },
  INT: { att: 'int $0x80', intel: 'int 0x80' },
  CLI: { att: 'cli', intel: 'cli' },
  STI: { att: 'sti', intel: 'sti' },
  HLT: { att: 'hlt', intel: 'hlt' },
  INVLPG: { att: 'invlpg (%rdi)', intel: 'invlpg [rdi]' },
  RDMSR: { att: 'rdmsr', intel: 'rdmsr' },
  WRMSR: { att: 'wrmsr', intel: 'wrmsr' },
  SHL: { att: 'shlq $32, %rdx', intel: 'shl rdx, 32' },
  SHR: { att: 'shrq $32, %rdx', intel: 'shr rdx, 32' },
  MOVZX: { att: 'movzwl (%rsi), %eax', intel: 'movzx eax, word ptr [rsi]' },
  CMPXCHG: { att: 'lock cmpxchgq %rcx, (%rdi)', intel: 'lock cmpxchg qword ptr [rdi], rcx' },
};

/** An example of the mnemonic in the chosen syntax, or undefined when none is written down. */
export function exampleFor(mnemonic: string, syntax: SyntaxPreference): string | undefined {
  return EXAMPLES[mnemonic.toUpperCase()]?.[syntax];
}

/** Kernel-style programs the debugger tests record. */
import { PROLOGUE, PROLOGUE32, toUser, toUser32 } from './system.ts';

/** Two tasks switching stacks through a switch_to that saves and restores the callee-saved registers. */
export const CONTEXT_SWITCH = `
    .text
start:
    lea stack_b_top(%rip), %rax
    lea task_b_entry(%rip), %rcx
    sub $8, %rax
    mov %rcx, (%rax)
    sub $48, %rax
    mov %rax, task_b(%rip)
    mov $1, %rbx
    mov $2, %rbp
    mov $3, %r12
    mov $5, %rcx
loop:
    push %rcx
    lea task_a(%rip), %rdi
    lea task_b(%rip), %rsi
    call switch_to
    pop %rcx
    rdtsc
    dec %rcx
    jnz loop
    hlt

switch_to:
    push %rbp
    push %rbx
    push %r12
    push %r13
    push %r14
    push %r15
    mov %rsp, (%rdi)
    mov (%rsi), %rsp
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %rbx
    pop %rbp
    ret

task_b_entry:
    mov $100, %rbx
1:  add $1, %rbx
    imul $3, %rbx, %r12
    mov %r12, counter(%rip)
    lea task_b(%rip), %rdi
    lea task_a(%rip), %rsi
    call switch_to
    jmp 1b

    .data
task_a: .quad 0
task_b: .quad 0
counter: .quad 0
    .space 512
stack_b_top:
`;

/** Enters ring 3; user code makes two system calls through INT 0x80 (a DPL 3 gate), then faults with UD2 (handled on IST1). */
export const ROUND_TRIP = `
    .text
start:
${PROLOGUE}
${toUser('user')}
user:
    mov $1, %rax
    int $0x80
    mov $2, %rax
    int $0x80
    add %rax, %rbx
    ud2
syscall_entry:
    push %rax
    push %rcx
    mov %rax, %rcx
    shl $4, %rcx
    add %rcx, %rbx
    pop %rcx
    pop %rax
    iretq
ud_handler:
    mov (%rsp), %r15
    hlt
`;

export const ROUND_TRIP_GATES = [
  { vector: 0x80, label: 'syscall_entry', dpl: 3 as const },
  { vector: 6, label: 'ud_handler', ist: 1 },
];

/** i386: ring 3 calls the kernel through INT 0x80; the stub saves every register with PUSHAD and returns with IRETD. */
export const ROUND_TRIP_32 = `
    .text
${PROLOGUE32}
${toUser32('user')}
user:
    mov $1, %eax
    mov $7, %ebx
    int $0x80
    mov $2, %eax
    int $0x80
    ud2
stub:
    pushal
    mov 28(%esp), %ecx
    shl $4, %ecx
    add %ecx, 16(%esp)
    popal
    iretl
ud_handler:
    hlt
`;

export const ROUND_TRIP_32_GATES = [
  { vector: 0x80, label: 'stub', dpl: 3 as const },
  { vector: 6, label: 'ud_handler' },
];

# Reference solution (AT&T syntax).
    .globl switch_to
switch_to:                              # rdi = prev, rsi = next
    pushq %rbx
    pushq %rbp
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, THREAD_RSP(%rdi)
    movl $0xc0000100, %ecx              # IA32_FS_BASE
    rdmsr                               # edx:eax = prev's FS base
    movl %eax, THREAD_FSBASE(%rdi)
    movl %edx, THREAD_FSBASE + 4(%rdi)
    movl THREAD_FSBASE(%rsi), %eax
    movl THREAD_FSBASE + 4(%rsi), %edx
    wrmsr                               # next's FS base
    movq THREAD_RSP(%rsi), %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbp
    popq %rbx
    ret

# Never switches CR3: B runs in A's address space.
    .globl switch_to
switch_to:                              # rdi = prev, rsi = next
    pushq %rbx
    pushq %rbp
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, THREAD_RSP(%rdi)
    movq THREAD_RSP(%rsi), %rsp
    movq THREAD_RSP0(%rsi), %rax        # interrupts from next's user mode land on next's kernel stack
    movq %rax, tss + 4
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbp
    popq %rbx
    ret

# switch_to(prev = rdi, next = rsi): the switch_to of the kernel-threads track, plus: keep prev's
# FS base (the MSR IA32_FS_BASE, 0xc0000100) in prev->fsbase and load next->fsbase into it.
# Thread fields: THREAD_RSP, THREAD_FSBASE.
    .globl switch_to
switch_to:
    pushq %rbx
    pushq %rbp
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, THREAD_RSP(%rdi)
    movq THREAD_RSP(%rsi), %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbp
    popq %rbx
    ret

# switch_to(prev = rdi, next = rsi): your switch_to from before, plus: TSS.RSP0 = next->rsp0
# (the TSS is at `tss`; RSP0 is at offset 4) and CR3 = next->cr3.
# Thread fields: THREAD_RSP, THREAD_RSP0, THREAD_CR3.
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

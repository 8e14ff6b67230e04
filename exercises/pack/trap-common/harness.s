# Plays the CPU and a stub: pushes an interrupt frame (returning to `resume` on the stack and
# flags of the case), an error code and a vector, loads the case's registers and jumps to the
# learner's isr_common. handle_trap records the trapframe, changes tf->rax, and clobbers every
# scratch register, as a C function may.
    .globl _start, handle_trap

handle_trap:                    # handle_trap(struct trapframe *tf)
    leaq 8(%rsp), %rax
    andq $15, %rax
    movq %rax, args + ARGS_MISALIGNED
    movq %rdi, %rsi
    movq $seen, %rdi
    movl $TF_SIZE / 8, %ecx
    cld
    rep movsq
    subq $TF_SIZE, %rsi
    movabsq $0x0123456789abcdef, %rax
    xorq %rax, TF_RAX(%rsi)
    movabsq $0x5ca77e7ed5ca77e7, %rax
    movq %rax, %rcx
    movq %rax, %rdx
    movq %rax, %rsi
    movq %rax, %rdi
    movq %rax, %r8
    movq %rax, %r9
    movq %rax, %r10
    movq %rax, %r11
    ret

    .balign 16
resume:                         # the interrupted code
    hlt

_start:
    andq $-16, %rsp             # the CPU aligns rsp before pushing a 64-bit frame
    pushq $0x10                 # SS
    pushq args + ARGS_RSP       # RSP
    pushq args + ARGS_RFLAGS    # RFLAGS
    pushq $0x08                 # CS
    pushq $resume               # RIP
    pushq args + ARGS_ERROR     # the error code (or a stub's zero)
    pushq args + ARGS_VECTOR    # the stub's vector
    movq regs + REGS_RAX, %rax
    movq regs + REGS_RBX, %rbx
    movq regs + REGS_RCX, %rcx
    movq regs + REGS_RDX, %rdx
    movq regs + REGS_RSI, %rsi
    movq regs + REGS_RDI, %rdi
    movq regs + REGS_RBP, %rbp
    movq regs + REGS_R8, %r8
    movq regs + REGS_R9, %r9
    movq regs + REGS_R10, %r10
    movq regs + REGS_R11, %r11
    movq regs + REGS_R12, %r12
    movq regs + REGS_R13, %r13
    movq regs + REGS_R14, %r14
    movq regs + REGS_R15, %r15
    jmp isr_common

# Plays the CPU's part of interrupt delivery for one vector: pushes the frame (SS, RSP, RFLAGS,
# CS, RIP, and the error code where the CPU pushes one), loads the case's registers and jumps to
# the learner's stub for that vector. isr_common halts, so the checks see what the stub left.
    .globl _start, isr_common

isr_common:
    hlt

_start:
    movq args + ARGS_VECTOR, %rax
    movq stub_table(,%rax,8), %rax
    movq %rax, args + ARGS_STUB
    movq $no_error, %rax
    cmpq $0, args + ARGS_HAS_ERROR
    je 1f
    movq $with_error, %rax
1:  movq %rax, args + ARGS_PATH
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
    pushq regs + REGS_RFLAGS
    popfq
    pushq $0x10                     # SS
    pushq args + ARGS_RSP           # RSP
    pushq args + ARGS_RFLAGS        # RFLAGS
    pushq $0x08                     # CS
    pushq args + ARGS_RIP           # RIP
    jmp *args + ARGS_PATH           # push and jmp leave registers and flags alone
with_error:
    pushq args + ARGS_ERROR
no_error:
    jmp *args + ARGS_STUB

    .data
    .balign 8
stub_table:
    .quad isr0
    .quad isr1
    .quad isr2
    .quad isr3
    .quad isr4
    .quad isr5
    .quad isr6
    .quad isr7
    .quad isr8
    .quad isr9
    .quad isr10
    .quad isr11
    .quad isr12
    .quad isr13
    .quad isr14
    .quad isr15
    .quad isr16
    .quad isr17
    .quad isr18
    .quad isr19
    .quad isr20
    .quad isr21
    .quad isr22
    .quad isr23
    .quad isr24
    .quad isr25
    .quad isr26
    .quad isr27
    .quad isr28
    .quad isr29
    .quad isr30
    .quad isr31
    .quad isr32
    .quad isr33
    .quad isr34
    .quad isr35
    .quad isr36
    .quad isr37
    .quad isr38
    .quad isr39
    .quad isr40
    .quad isr41
    .quad isr42
    .quad isr43
    .quad isr44
    .quad isr45
    .quad isr46
    .quad isr47

# Plays the CPU's part of interrupt delivery in 32-bit protected mode: from ring 3 it pushes SS and
# ESP, then always EFLAGS, CS, EIP, and the error code for the vectors that have one. Then it
# loads the case's registers and jumps to the learner's stub. isr_common halts.
    .code32
    .globl _start, isr_common

isr_common:
    hlt

_start:
    movl args + ARGS_VECTOR, %eax
    cmpl $128, %eax
    jne 1f
    movl $32, %eax                  # isr128 is the table's last entry
1:  movl stub_table(,%eax,4), %eax
    movl %eax, args + ARGS_STUB
    movl regs + REGS_EAX, %eax
    movl regs + REGS_EBX, %ebx
    movl regs + REGS_ECX, %ecx
    movl regs + REGS_EDX, %edx
    movl regs + REGS_ESI, %esi
    movl regs + REGS_EDI, %edi
    movl regs + REGS_EBP, %ebp
    pushl regs + REGS_EFLAGS
    popfl
    jmp *args + ARGS_FRAME_PATH     # push and jmp leave registers and flags alone
user_frame:
    pushl $0x23                     # SS, only when the privilege level changes
    pushl args + ARGS_ESP           # ESP
kernel_frame:
    pushl args + ARGS_EFLAGS
    pushl args + ARGS_CS
    pushl args + ARGS_EIP
    jmp *args + ARGS_ERROR_PATH
with_error:
    pushl args + ARGS_ERROR
no_error:
    jmp *args + ARGS_STUB

    .data
    .balign 4
stub_table:
    .long isr0
    .long isr1
    .long isr2
    .long isr3
    .long isr4
    .long isr5
    .long isr6
    .long isr7
    .long isr8
    .long isr9
    .long isr10
    .long isr11
    .long isr12
    .long isr13
    .long isr14
    .long isr15
    .long isr16
    .long isr17
    .long isr18
    .long isr19
    .long isr20
    .long isr21
    .long isr22
    .long isr23
    .long isr24
    .long isr25
    .long isr26
    .long isr27
    .long isr28
    .long isr29
    .long isr30
    .long isr31
    .long isr128

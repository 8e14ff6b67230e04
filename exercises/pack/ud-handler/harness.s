# The flat GDT (machine: in the spec) and an IDT whose vector 6 (#UD) is the learner's
# ud_handler. The "program" executes ud2 run.faults times with the case's registers; a handler
# that resumes after the ud2 lets it reach `done`.
    .globl _start, fault_site, done
    .set IDT, sys
    .set IDTR, sys + 0x1000

_start:
    movq $ud_handler, %rax                  # interrupt gate for vector 6
    movw %ax, IDT + 6 * 16
    movw $0x08, IDT + 6 * 16 + 2
    movw $0x8e00, IDT + 6 * 16 + 4
    shrq $16, %rax
    movw %ax, IDT + 6 * 16 + 6
    shrq $16, %rax
    movl %eax, IDT + 6 * 16 + 8
    movw $0xfff, IDTR
    movq $IDT, IDTR + 2
    lidt IDTR
    movq run + RUN_FAULTS, %rax
    movq %rax, run + RUN_LEFT
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
again:
fault_site:
    ud2
    decq run + RUN_LEFT
    jnz again
done:
    hlt

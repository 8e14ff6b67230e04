# The flat GDT (machine: in the spec), an IDT whose vector 14 (#PF) is the learner's pf_handler,
# and 4-level page tables: the first 2 MiB in 4 KiB pages through `pt`, with 0x100000-0x17ffff
# not present, 2-4 MiB as one large page. The program writes rbx at args.a, then reads args.b into rcx and args.a into rdx.
    .globl _start
    .set IDT, sys + 0x1000
    .set PML4, sys + 0x2000
    .set PDPT, sys + 0x3000
    .set PD, sys + 0x4000
    .set IDTR, sys + 0x110

_start:
    movq $pf_handler, %rax                  # interrupt gate for vector 14
    movw %ax, IDT + 14 * 16
    movw $0x08, IDT + 14 * 16 + 2
    movw $0x8e00, IDT + 14 * 16 + 4
    shrq $16, %rax
    movw %ax, IDT + 14 * 16 + 6
    shrq $16, %rax
    movl %eax, IDT + 14 * 16 + 8
    movw $0xfff, IDTR
    movq $IDT, IDTR + 2
    lidt IDTR
    xorl %ecx, %ecx                         # pt: identity 4 KiB pages but for the window
2:  movq %rcx, %rax
    shlq $12, %rax
    orq $3, %rax
    cmpq $0x100, %rcx
    jb 3f
    cmpq $0x180, %rcx
    jae 3f
    xorl %eax, %eax
3:  movq %rax, pt(,%rcx,8)
    incq %rcx
    cmpq $512, %rcx
    jne 2b
    movq $(PDPT + 3), PML4
    movq $(PD + 3), PDPT
    movq $(pt + 3), PD
    movq $0x200083, PD + 8
    movq $PML4, %rax
    movq %rax, %cr3
    movq args + ARGS_A, %rdi
    movq args + ARGS_B, %rsi
    xorl %ecx, %ecx
    xorl %edx, %edx
    movq regs + REGS_RAX, %rax
    movq regs + REGS_RBX, %rbx
    movq regs + REGS_RBP, %rbp
    movq regs + REGS_R8, %r8
    movq regs + REGS_R9, %r9
    movq regs + REGS_R10, %r10
    movq regs + REGS_R11, %r11
    movq regs + REGS_R12, %r12
    movq regs + REGS_R13, %r13
    movq regs + REGS_R14, %r14
    movq regs + REGS_R15, %r15
    movq %rbx, (%rdi)
    movq (%rsi), %rcx
    movq (%rdi), %rdx
    hlt

# Long mode on the flat GDT, whose user segments are laid out for SYSRET, and identity paging
# ring 3 may use (machine: in the spec), with the SYSCALL MSRs: LSTAR = syscall_entry,
# STAR = 0x08 / 0x18, SFMASK, KERNEL_GS_BASE = percpu, and a random user GS base. The user program (ring 3) loads random registers and calls the system
# call rdi + rsi; then it records what it got back and calls exit (rax = 60), which halts.
    .globl _start, do_syscall, after_syscall

do_syscall:                             # do_syscall(struct user_context *uctx)
    cmpq $60, UCTX_RAX(%rdi)
    jne 1f
    hlt                                 # exit: the run ends in ring 0
1:  movq %rdi, %rsi
    movq $seen, %rdi
    movl $UCTX_SIZE / 8, %ecx
    cld
    rep movsq
    subq $UCTX_SIZE, %rsi
    movq UCTX_RDI(%rsi), %rax
    addq UCTX_RSI(%rsi), %rax
    movq %rax, UCTX_RAX(%rsi)           # the result
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

user_entry:                             # ring 3
    movq uregs + UREGS_RAX, %rax
    movq uregs + UREGS_RBX, %rbx
    movq uregs + UREGS_RDX, %rdx
    movq uregs + UREGS_RSI, %rsi
    movq uregs + UREGS_RDI, %rdi
    movq uregs + UREGS_RBP, %rbp
    movq uregs + UREGS_R8, %r8
    movq uregs + UREGS_R9, %r9
    movq uregs + UREGS_R10, %r10
    movq uregs + UREGS_R12, %r12
    movq uregs + UREGS_R13, %r13
    movq uregs + UREGS_R14, %r14
    movq uregs + UREGS_R15, %r15
    pushq uregs + UREGS_RFLAGS
    popfq
    syscall
after_syscall:
    movq %rax, after + UCTX_RAX
    movq %rbx, after + UCTX_RBX
    movq %rcx, after + UCTX_RCX
    movq %rdx, after + UCTX_RDX
    movq %rsi, after + UCTX_RSI
    movq %rdi, after + UCTX_RDI
    movq %rbp, after + UCTX_RBP
    movq %r8, after + UCTX_R8
    movq %r9, after + UCTX_R9
    movq %r10, after + UCTX_R10
    movq %r11, after + UCTX_R11
    movq %r12, after + UCTX_R12
    movq %r13, after + UCTX_R13
    movq %r14, after + UCTX_R14
    movq %r15, after + UCTX_R15
    movq %rsp, after + UCTX_RSP
    pushfq
    popq after + UCTX_RFLAGS
    movl $60, %eax
    syscall
    ud2

_start:
    movl $0xc0000080, %ecx              # EFER.SCE: SYSCALL enabled
    rdmsr
    orl $1, %eax
    wrmsr
    movl $0xc0000081, %ecx              # STAR: SYSCALL CS 0x08 (SS 0x10); SYSRET base 0x18 (CS 0x2b, SS 0x23)
    xorl %eax, %eax
    movl $0x00180008, %edx
    wrmsr
    movl $0xc0000082, %ecx              # LSTAR
    movq $syscall_entry, %rax
    movq %rax, %rdx
    shrq $32, %rdx
    wrmsr
    movl $0xc0000084, %ecx              # SFMASK: TF, IF, DF, IOPL, NT, AC cleared on entry
    movl $0x47700, %eax
    xorl %edx, %edx
    wrmsr
    movl $0xc0000102, %ecx              # KERNEL_GS_BASE: what SWAPGS brings in
    movl $percpu, %eax
    xorl %edx, %edx
    wrmsr
    movl $0xc0000101, %ecx              # GS base: the user's
    movq uregs + UREGS_GSBASE, %rax
    movq %rax, %rdx
    shrq $32, %rdx
    wrmsr
    pushq $0x23                         # enter the user program
    pushq $(ustack + 0x1000)
    pushq $0x202
    pushq $0x2b
    pushq $user_entry
    iretq

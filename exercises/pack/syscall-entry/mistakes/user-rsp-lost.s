# Loads the kernel stack before keeping the user's rsp.
    .globl syscall_entry
# SYSCALL: rcx = the user's RIP, r11 = the user's RFLAGS, rsp still the user's (SDM Vol. 2B, SYSCALL).
syscall_entry:
    swapgs                              # GS base = this CPU's per-CPU struct
    movq %gs:PERCPU_KSTACK, %rsp
    movq %rsp, %gs:PERCPU_USER_RSP
    movq %rax, uctx + UCTX_RAX
    movq %rbx, uctx + UCTX_RBX
    movq %rcx, uctx + UCTX_RCX
    movq %rdx, uctx + UCTX_RDX
    movq %rsi, uctx + UCTX_RSI
    movq %rdi, uctx + UCTX_RDI
    movq %rbp, uctx + UCTX_RBP
    movq %r8, uctx + UCTX_R8
    movq %r9, uctx + UCTX_R9
    movq %r10, uctx + UCTX_R10
    movq %r11, uctx + UCTX_R11
    movq %r12, uctx + UCTX_R12
    movq %r13, uctx + UCTX_R13
    movq %r14, uctx + UCTX_R14
    movq %r15, uctx + UCTX_R15
    movq %rcx, uctx + UCTX_RIP
    movq %r11, uctx + UCTX_RFLAGS
    movq %gs:PERCPU_USER_RSP, %rax
    movq %rax, uctx + UCTX_RSP
    movq $uctx, %rdi
    call do_syscall
    movq uctx + UCTX_RAX, %rax
    movq uctx + UCTX_RBX, %rbx
    movq uctx + UCTX_RDX, %rdx
    movq uctx + UCTX_RSI, %rsi
    movq uctx + UCTX_RDI, %rdi
    movq uctx + UCTX_RBP, %rbp
    movq uctx + UCTX_R8, %r8
    movq uctx + UCTX_R9, %r9
    movq uctx + UCTX_R10, %r10
    movq uctx + UCTX_R12, %r12
    movq uctx + UCTX_R13, %r13
    movq uctx + UCTX_R14, %r14
    movq uctx + UCTX_R15, %r15
    movq uctx + UCTX_RIP, %rcx          # SYSRETQ: RIP = rcx, RFLAGS = r11
    movq uctx + UCTX_RFLAGS, %r11
    movq uctx + UCTX_RSP, %rsp          # last: from here on we are on the user's stack
    swapgs                              # GS base = the user's again
    sysretq

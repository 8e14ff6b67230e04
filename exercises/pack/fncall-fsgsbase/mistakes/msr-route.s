# The MSR route of fncall-context: correct bases, but through rdmsr/wrmsr and ecx:edx:eax instead of the FS/GS base instructions.
    .globl run_fncall

# run_fncall(ctx = rdi): run ctx->fn(ctx->arg) on ctx->stack with ctx's FS and GS bases.
run_fncall:
    pushq %rbx
    pushq %rbp
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movl $0xc0000100, %ecx              # IA32_FS_BASE
    rdmsr
    pushq %rdx
    pushq %rax
    movl $0xc0000101, %ecx              # IA32_GS_BASE
    rdmsr
    pushq %rdx
    pushq %rax
    movq %rsp, saved_rsp(%rip)          # the function keeps no register for us
    movq %rdi, saved_ctx(%rip)
    movl $0xc0000100, %ecx
    movl FN_FSBASE(%rdi), %eax
    movl FN_FSBASE + 4(%rdi), %edx
    wrmsr
    movl $0xc0000101, %ecx
    movl FN_GSBASE(%rdi), %eax
    movl FN_GSBASE + 4(%rdi), %edx
    wrmsr
    movq FN_STACK(%rdi), %rsp
    andq $-16, %rsp
    movq FN_FN(%rdi), %rax
    movq FN_ARG(%rdi), %rdi
    call *%rax
    movq saved_rsp(%rip), %rsp
    movq saved_ctx(%rip), %rdi
    movq %rax, FN_RESULT(%rdi)
    movl $0xc0000100, %ecx
    rdmsr
    movl %eax, FN_FSBASE(%rdi)
    movl %edx, FN_FSBASE + 4(%rdi)
    movl $0xc0000101, %ecx
    rdmsr
    movl %eax, FN_GSBASE(%rdi)
    movl %edx, FN_GSBASE + 4(%rdi)
    popq %rax                           # the caller's GS base
    popq %rdx
    wrmsr
    popq %rax                           # the caller's FS base
    popq %rdx
    movl $0xc0000100, %ecx
    wrmsr
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbp
    popq %rbx
    ret

    .data
saved_rsp: .quad 0
saved_ctx: .quad 0

# Reference solution (AT&T syntax).
    .globl run_fncall

# run_fncall(ctx = rdi): run ctx->fn(ctx->arg) on ctx->stack with ctx's FS and GS bases.
run_fncall:
    pushq %rbx
    pushq %rbp
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    rdfsbase %rax
    pushq %rax
    rdgsbase %rax
    pushq %rax
    movq %rsp, saved_rsp(%rip)          # the function keeps no register for us
    movq %rdi, saved_ctx(%rip)
    movq FN_FSBASE(%rdi), %rax
    wrfsbase %rax
    movq FN_GSBASE(%rdi), %rax
    wrgsbase %rax
    movq FN_STACK(%rdi), %rsp
    andq $-16, %rsp
    movq FN_FN(%rdi), %rax
    movq FN_ARG(%rdi), %rdi
    call *%rax
    movq saved_rsp(%rip), %rsp
    movq saved_ctx(%rip), %rdi
    movq %rax, FN_RESULT(%rdi)
    rdfsbase %rax
    movq %rax, FN_FSBASE(%rdi)
    rdgsbase %rax
    movq %rax, FN_GSBASE(%rdi)
    popq %rax                           # the caller's GS base
    wrgsbase %rax
    popq %rax                           # the caller's FS base
    wrfsbase %rax
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

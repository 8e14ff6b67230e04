# run_fncall(ctx = rdi): run ctx->fn(ctx->arg) (FN_FN, FN_ARG) on the stack ctx->stack
# (FN_STACK, rounded down to 16) with the FS and GS bases of the context (FN_FSBASE, FN_GSBASE;
# MSRs 0xc0000100 and 0xc0000101), and come back: the result into FN_RESULT, the bases the
# function left into FN_FSBASE and FN_GSBASE, and the caller's bases, callee-saved registers and
# rsp as they were. The function may change every register but rsp.
    .globl run_fncall
run_fncall:
    pushq %rbx
    movq %rdi, %rbx
    movq FN_ARG(%rbx), %rdi
    call *FN_FN(%rbx)                   # on the caller's stack, with the caller's bases
    movq %rax, FN_RESULT(%rbx)
    popq %rbx
    ret

# call_aligned(fn = rdi, arg = rsi): call fn(arg) with rsp a multiple of 16 at the call,
# whatever rsp is on entry, and return fn's result. Keep rbx, rbp, r12-r15 and rsp.
    .intel_syntax noprefix
    .globl call_aligned
call_aligned:
    mov rax, rdi
    mov rdi, rsi
    call rax
    ret

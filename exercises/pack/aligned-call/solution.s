# Reference solution (Intel syntax).
    .intel_syntax noprefix
    .globl call_aligned
# call_aligned(fn = rdi, arg = rsi): fn(arg) with rsp 16-byte aligned at the call
call_aligned:
    push rbp
    mov rbp, rsp                # callee-saved: survives the call
    and rsp, -16
    mov rax, rdi
    mov rdi, rsi
    call rax
    mov rsp, rbp
    pop rbp
    ret

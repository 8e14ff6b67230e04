# Aligns the stack but never puts the old rsp back.
    .intel_syntax noprefix
    .globl call_aligned
call_aligned:
    and rsp, -16
    mov rax, rdi
    mov rdi, rsi
    call rax
    ret

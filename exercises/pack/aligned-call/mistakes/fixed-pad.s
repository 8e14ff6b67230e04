# Pads by a fixed 8 bytes: right only when the caller's stack happened to be aligned.
    .intel_syntax noprefix
    .globl call_aligned
call_aligned:
    sub rsp, 8
    mov rax, rdi
    mov rdi, rsi
    call rax
    add rsp, 8
    ret

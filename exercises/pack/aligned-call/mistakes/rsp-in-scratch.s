# Keeps the old rsp in r11, which the called function is free to overwrite.
    .intel_syntax noprefix
    .globl call_aligned
call_aligned:
    mov r11, rsp
    and rsp, -16
    mov rax, rdi
    mov rdi, rsi
    call rax
    mov rsp, r11
    ret

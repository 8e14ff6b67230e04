# Saves prev's rsp before pushing, so prev->rsp points above its saved registers.
    .intel_syntax noprefix
    .globl switch_to
switch_to:
    mov [rdi], rsp
    push rbx
    push rbp
    push r12
    push r13
    push r14
    push r15
    mov rsp, [rsi]
    pop r15
    pop r14
    pop r13
    pop r12
    pop rbp
    pop rbx
    ret

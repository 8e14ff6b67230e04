# Pops in the same order it pushes: every register comes back from the wrong slot.
    .intel_syntax noprefix
    .globl switch_to
switch_to:
    push rbx
    push rbp
    push r12
    push r13
    push r14
    push r15
    mov [rdi], rsp
    mov rsp, [rsi]
    pop rbx
    pop rbp
    pop r12
    pop r13
    pop r14
    pop r15
    ret

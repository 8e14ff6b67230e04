# Keeps b in a variable of its own (.data) across the first call instead of in a callee-saved register.
    .globl combine
combine:
    pushq %rbx
    pushq %r12
    subq $8, %rsp          # entry rsp = 8 mod 16; two pushes and 8 more make it 0 mod 16
    movq %rsi, saved_b(%rip)
    call twist
    movq %rax, %r12
    movq saved_b(%rip), %rdi
    call twist
    addq %r12, %rax
    addq $8, %rsp
    popq %r12
    popq %rbx
    ret
    .data
saved_b: .quad 0

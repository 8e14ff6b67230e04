    .globl combine
combine:
    pushq %rbx
    pushq %r12
    subq $8, %rsp          # entry rsp = 8 mod 16; two pushes and 8 more make it 0 mod 16
    movq %rsi, %rbx
    call twist
    movq %rax, %r12
    movq %rbx, %rdi
    call twist
    addq %r12, %rax
    addq $8, %rsp
    popq %r12
    popq %rbx
    ret

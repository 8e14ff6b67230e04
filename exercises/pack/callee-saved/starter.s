# combine(a = rdi, b = rsi) = twist(a) + twist(b)
# This version gets the right answer but breaks two rules: find them.
    .globl combine
combine:
    movq %rsi, %rbx        # keep b
    call twist
    movq %rax, %r12        # keep twist(a)
    movq %rbx, %rdi
    call twist
    addq %r12, %rax
    ret

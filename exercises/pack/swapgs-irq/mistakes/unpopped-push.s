# Keeps rax on the stack for scratch and forgets to pop it: IRETQ takes that rax for RIP.
    .globl irq_entry
# On entry (no error code): (%rsp) RIP, 8(%rsp) CS, 16(%rsp) RFLAGS, 24(%rsp) RSP, 32(%rsp) SS.
irq_entry:
    pushq %rax                          # scratch, never popped
    testb $3, 16(%rsp)                   # CS.RPL: 0 if we interrupted the kernel
    jz 1f
    swapgs                              # from ring 3: bring in the per-CPU base
1:  incq %gs:PERCPU_TICKS
    testb $3, 16(%rsp)
    jz 2f
    swapgs                              # back to ring 3: the user's base again
2:  iretq                               # IRETQ restores the flags the tests changed

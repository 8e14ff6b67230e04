# Tests the privilege bits of the saved RSP instead of the saved CS.
    .globl irq_entry
irq_entry:
    testb $3, 24(%rsp)
    jz 1f
    swapgs
1:  incq %gs:PERCPU_TICKS
    testb $3, 24(%rsp)
    jz 2f
    swapgs
2:  iretq

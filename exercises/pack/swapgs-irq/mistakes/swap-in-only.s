# Swaps GS in when coming from ring 3 but never swaps it back.
    .globl irq_entry
irq_entry:
    testb $3, 8(%rsp)
    jz 1f
    swapgs
1:  incq %gs:PERCPU_TICKS
    iretq

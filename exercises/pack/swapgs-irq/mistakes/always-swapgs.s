# Swaps GS on every entry and exit, also when the interrupt came from the kernel.
    .globl irq_entry
irq_entry:
    swapgs
    incq %gs:PERCPU_TICKS
    swapgs
    iretq

# irq_entry: the IDT's handler for vector 32, reached from ring 0 or from ring 3. Count the tick
# in the per-CPU struct (%gs:PERCPU_TICKS once GS holds the per-CPU base) and return.
# In ring 0 GS already holds the per-CPU base; in ring 3 it holds the user's.
    .globl irq_entry
irq_entry:
    incq %gs:PERCPU_TICKS
    iretq

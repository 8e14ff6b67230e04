# ud_handler: the IDT's handler for #UD (vector 6). Count the fault in stats + STATS_COUNT,
# record the faulting RIP in stats + STATS_LAST_RIP, and resume after the 2-byte ud2 with
# every register as it was.
    .globl ud_handler
ud_handler:
    incq stats + STATS_COUNT
    iretq

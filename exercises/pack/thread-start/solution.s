# Reference solution (AT&T syntax).
    .globl thread_init, thread_start

# Reached by switch_to's ret with rsp = stack_top (16-byte aligned).
thread_start:
    movq %r12, %rdi
    call *%rbx
    movq %rax, %rdi
    call thread_exit

# thread_init(thread = rdi, stack_top = rsi, entry = rdx, arg = rcx)
thread_init:
    leaq -56(%rsi), %rax            # seven quadwords: r15 r14 r13 r12 rbp rbx ret
    movq $0, 0(%rax)                # r15
    movq $0, 8(%rax)                # r14
    movq $0, 16(%rax)               # r13
    movq %rcx, 24(%rax)             # r12 = arg
    movq $0, 32(%rax)               # rbp
    movq %rdx, 40(%rax)             # rbx = entry
    movq $thread_start, 48(%rax)    # where switch_to's ret lands
    movq %rax, THREAD_RSP(%rdi)
    ret

# Saves and restores the current task but never moves on to the next.
    .globl timer_entry
# The tick, in ring 0 on the kernel stack: (%rsp) RIP, 8 CS, 16 RFLAGS, 24 RSP, 32 SS of the
# interrupted task, and all its registers still live.
timer_entry:
    pushq %rax
    movq sched + SCHED_CURRENT, %rax
    imulq $TASK_SIZE, %rax
    addq $t0, %rax                      # tasks[current]
    movq %rbx, TASK_RBX(%rax)
    movq %rcx, TASK_RCX(%rax)
    movq %rdx, TASK_RDX(%rax)
    movq %rsi, TASK_RSI(%rax)
    movq %rdi, TASK_RDI(%rax)
    movq %rbp, TASK_RBP(%rax)
    movq %r8, TASK_R8(%rax)
    movq %r9, TASK_R9(%rax)
    movq %r10, TASK_R10(%rax)
    movq %r11, TASK_R11(%rax)
    movq %r12, TASK_R12(%rax)
    movq %r13, TASK_R13(%rax)
    movq %r14, TASK_R14(%rax)
    movq %r15, TASK_R15(%rax)
    popq TASK_RAX(%rax)
    movq (%rsp), %rcx
    movq %rcx, TASK_RIP(%rax)
    movq 16(%rsp), %rcx
    movq %rcx, TASK_RFLAGS(%rax)
    movq 24(%rsp), %rcx
    movq %rcx, TASK_RSP(%rax)
    movq sched + SCHED_CURRENT, %rax
    imulq $TASK_SIZE, %rax
    addq $t0, %rax                      # tasks[next]
    movq TASK_RIP(%rax), %rcx
    movq %rcx, (%rsp)
    movq TASK_RFLAGS(%rax), %rcx
    movq %rcx, 16(%rsp)
    movq TASK_RSP(%rax), %rcx
    movq %rcx, 24(%rsp)
    movq TASK_RBX(%rax), %rbx
    movq TASK_RCX(%rax), %rcx
    movq TASK_RDX(%rax), %rdx
    movq TASK_RSI(%rax), %rsi
    movq TASK_RDI(%rax), %rdi
    movq TASK_RBP(%rax), %rbp
    movq TASK_R8(%rax), %r8
    movq TASK_R9(%rax), %r9
    movq TASK_R10(%rax), %r10
    movq TASK_R11(%rax), %r11
    movq TASK_R12(%rax), %r12
    movq TASK_R13(%rax), %r13
    movq TASK_R14(%rax), %r14
    movq TASK_R15(%rax), %r15
    movq TASK_RAX(%rax), %rax           # last
    iretq

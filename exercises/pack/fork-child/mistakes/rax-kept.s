# Copies the parent's frame as it is: the child sees the parent's rax.
    .globl copy_thread, ret_from_fork

# The child's first switch_to returns here, with rsp at its copy of the trap frame.
ret_from_fork:
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %r11
    popq %r10
    popq %r9
    popq %r8
    popq %rbp
    popq %rdi
    popq %rsi
    popq %rdx
    popq %rcx
    popq %rbx
    popq %rax
    addq $16, %rsp                      # vector and error code
    iretq                               # to user mode, right after the parent's int

# copy_thread(child = rdi, kstack_top = rsi, parent_tf = rdx)
copy_thread:
    leaq -TF_SIZE(%rsi), %rax           # the child's trap frame, at the top of its kernel stack
    xorl %ecx, %ecx
1:  movq (%rdx,%rcx,8), %r8
    movq %r8, (%rax,%rcx,8)
    incq %rcx
    cmpq $TF_SIZE / 8, %rcx
    jne 1b
    leaq -56(%rax), %rcx                # what switch_to pops: r15 r14 r13 r12 rbp rbx, then ret
    movq $0, 0(%rcx)
    movq $0, 8(%rcx)
    movq $0, 16(%rcx)
    movq $0, 24(%rcx)
    movq $0, 32(%rcx)
    movq $0, 40(%rcx)
    movq $ret_from_fork, 48(%rcx)
    movq %rcx, THREAD_RSP(%rdi)
    ret

# Pops the registers in the order they were pushed.
    .globl copy_thread, ret_from_fork

# The child's first switch_to returns here, with rsp at its copy of the trap frame.
ret_from_fork:
    popq %rax
    popq %rbx
    popq %rcx
    popq %rdx
    popq %rsi
    popq %rdi
    popq %rbp
    popq %r8
    popq %r9
    popq %r10
    popq %r11
    popq %r12
    popq %r13
    popq %r14
    popq %r15
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
    movq $0, TF_RAX(%rax)               # fork() returns 0 in the child
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

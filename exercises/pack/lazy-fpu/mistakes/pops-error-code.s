# Drops an error code before IRETQ as if #NM pushed one: IRETQ then takes CS for RIP and the frame apart.
    .globl fpu_switch, nm_handler

# fpu_switch(next = rdi): next runs; its FPU state is loaded only when it first uses the FPU.
fpu_switch:
    movq %rdi, percpu + PERCPU_CURRENT
    movq %cr0, %rax
    orq $8, %rax                        # CR0.TS: the next FPU instruction raises #NM
    cmpq percpu + PERCPU_FPU_OWNER, %rdi
    jne 1f
    andq $~8, %rax                      # next's registers are still in place
1:  movq %rax, %cr0
    ret

# #NM (vector 7, no error code): move the FPU state from its owner to the current thread.
nm_handler:
    pushq %rax
    pushq %rcx
    pushq %rdx
    clts
    movl $-1, %eax
    movl $-1, %edx
    movq percpu + PERCPU_FPU_OWNER, %rcx
    testq %rcx, %rcx
    jz 1f
    xsave THREAD_FPU(%rcx)
1:  movq percpu + PERCPU_CURRENT, %rcx
    xrstor THREAD_FPU(%rcx)
    movq %rcx, percpu + PERCPU_FPU_OWNER
    popq %rdx
    popq %rcx
    popq %rax
    addq $8, %rsp                       # "the error code"
    iretq

# copy_thread(child = rdi, kstack_top = rsi, parent_tf = rdx): give the child a copy of the
# parent's trap frame (TF_* layout, TF_SIZE bytes) at the top of its kernel stack, with rax = 0,
# and below it what switch_to pops (six callee-saved slots, then ret_from_fork); set child->rsp.
# ret_from_fork: restore the registers from the trap frame on the stack and return to user mode.
    .globl copy_thread, ret_from_fork
ret_from_fork:
    iretq

copy_thread:
    movq %rsi, THREAD_RSP(%rdi)
    ret

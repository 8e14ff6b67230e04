# timer_entry: the handler of vector 32. Call tick(frame) (a C function) with rdi = the address
# of the frame the CPU pushed (RIP at the lowest address) on a 16-byte aligned stack, keep every
# register of the interrupted code, and return to it with IRETQ.
    .globl timer_entry
timer_entry:
    pushq %rdi
    movq 32(%rsp), %rdi                 # the interrupted RSP...
    subq $40, %rdi                      # ...and the frame 40 bytes below it? Not if it was unaligned.
    call tick
    popq %rdi
    iretq

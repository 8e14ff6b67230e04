# restore_context(ctx = rdi): load every register, RFLAGS, RSP and RIP from the struct and
# continue at ctx.rip. It never returns. Build an IRETQ frame (SS, RSP, RFLAGS, CS, RIP) first.
    .globl restore_context
restore_context:
    movq CTX_RAX(%rdi), %rax
    # ... the frame, the other registers, and iretq ...
    ret

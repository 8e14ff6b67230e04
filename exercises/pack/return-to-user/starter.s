# return_to_user(uctx = rdi): start user code (ring 3) with every general register, RSP, RIP,
# RFLAGS and the FS base taken from the context (UCTX_* offsets). RFLAGS: keep only CF PF AF ZF
# SF DF OF (0xcd5) and set IF (0x202). Never returns.
    .globl return_to_user
return_to_user:
    pushq $0x23
    pushq UCTX_RSP(%rdi)
    pushq $0x202
    pushq $0x2b
    pushq UCTX_RIP(%rdi)
    iretq

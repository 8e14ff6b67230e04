# isr_common: entered by a stub's jmp with, from rsp upwards: vector, error code, RIP, CS,
# RFLAGS, RSP, SS. Save the fifteen general registers so that the stack becomes a
# struct trapframe (TF_R15 lowest ... TF_SS highest), call handle_trap(tf), restore the
# registers from the frame, drop vector and error code, and return with IRETQ.
    .globl isr_common
isr_common:
    movq %rsp, %rdi
    call handle_trap
    addq $16, %rsp
    iretq

# The interrupted code runs at the case's RSP, at any byte alignment, with the case's registers
# and interrupts on; the machine's timer interrupts it in the middle of a run of NOPs. Vector 32's
# gate (in the record IDT) is pointed at timer_entry with stores that change no register. After
# the NOPs the code records what it has, turns interrupts off and halts.
# tick(frame) is a C function: it records the first tick's frame and changes every scratch register.
    .set RECORD_IDT, 0x2000                # the record IDT of `machine: idt: record`
    .globl _start, tick, sled

tick:                                   # rdi = the CPU's frame: RIP, CS, RFLAGS, RSP, SS
    leaq 8(%rsp), %rax
    cmpq $0, seen + SEEN_TICKS
    jne 1f
    movq %rax, seen + SEEN_CALL_RSP
    movq %rdi, seen + SEEN_FRAME
    movq (%rdi), %rax
    movq %rax, seen + SEEN_RIP
    movq 8(%rdi), %rax
    movq %rax, seen + SEEN_CS
    movq 16(%rdi), %rax
    movq %rax, seen + SEEN_RFLAGS
    movq 24(%rdi), %rax
    movq %rax, seen + SEEN_RSP
    subq %rdi, %rax
    subq $40, %rax
    movq %rax, seen + SEEN_PAD
    movq 32(%rdi), %rax
    movq %rax, seen + SEEN_SS
1:  incq seen + SEEN_TICKS
    movq $-1, %rax
    movq %rax, %rcx
    movq %rax, %rdx
    movq %rax, %rsi
    movq %rax, %rdi
    movq %rax, %r8
    movq %rax, %r9
    movq %rax, %r10
    movq %rax, %r11
    ret

_start:
    movw $(timer_entry & 0xffff), RECORD_IDT + 32 * 16
    movw $((timer_entry >> 16) & 0xffff), RECORD_IDT + 32 * 16 + 6
    sti
sled:
    .rept 256
    nop
    .endr
    movq %rax, after + AFTER_RAX
    movq %rbx, after + AFTER_RBX
    movq %rcx, after + AFTER_RCX
    movq %rdx, after + AFTER_RDX
    movq %rsi, after + AFTER_RSI
    movq %rdi, after + AFTER_RDI
    movq %rbp, after + AFTER_RBP
    movq %r8, after + AFTER_R8
    movq %r9, after + AFTER_R9
    movq %r10, after + AFTER_R10
    movq %r11, after + AFTER_R11
    movq %r12, after + AFTER_R12
    movq %r13, after + AFTER_R13
    movq %r14, after + AFTER_R14
    movq %r15, after + AFTER_R15
    movq %rsp, after + AFTER_RSP
    pushfq
    popq after + AFTER_RFLAGS
    cli
    hlt

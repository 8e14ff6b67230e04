# Long mode on the flat GDT with its TSS (RSP0 = the kernel stack) and identity paging ring 3
# may use (machine: in the spec).
# Vector 32 (DPL 3) is the learner's irq_entry, vector 33 (DPL 3) an exit that records the GS
# MSRs and halts. The kernel raises `int $32` args.kernel_irqs times in ring 0 (GS base =
# percpu), then enters the user program (GS base = the user's) which raises it args.user_irqs
# times and exits.
    .globl _start
    .set IDT, sys
    .set IDTR, sys + 0x1000

user_entry:                             # ring 3
1:  int $32
    decq args + ARGS_LEFT_U
    jnz 1b
    int $33

exit_handler:                           # ring 0, from ring 3, without SWAPGS
    movl $0xc0000101, %ecx
    rdmsr
    movl %eax, seen + SEEN_GS_BASE
    movl %edx, seen + SEEN_GS_BASE + 4
    movl $0xc0000102, %ecx
    rdmsr
    movl %eax, seen + SEEN_KERNEL_GS_BASE
    movl %edx, seen + SEEN_KERNEL_GS_BASE + 4
    hlt

# set_gate(vector = rdi, handler = rsi): interrupt gate, DPL 3
set_gate:
    shlq $4, %rdi
    addq $IDT, %rdi
    movw %si, (%rdi)
    movw $0x08, 2(%rdi)
    movw $0xee00, 4(%rdi)
    movq %rsi, %rax
    shrq $16, %rax
    movw %ax, 6(%rdi)
    shrq $16, %rax
    movl %eax, 8(%rdi)
    movl $0, 12(%rdi)
    ret

# wrmsr64(msr = ecx, value = rax)
wrmsr64:
    movq %rax, %rdx
    shrq $32, %rdx
    wrmsr
    ret

_start:
    movq $(kstack + 0x1000), tss + 4    # RSP0
    movq $32, %rdi
    movq $irq_entry, %rsi
    call set_gate
    movq $33, %rdi
    movq $exit_handler, %rsi
    call set_gate
    movw $0xfff, IDTR
    movq $IDT, IDTR + 2
    lidt IDTR
    movl $0xc0000101, %ecx              # in the kernel: GS base = percpu
    movq $percpu, %rax
    call wrmsr64
    movl $0xc0000102, %ecx              # parked: the user's GS base
    movq args + ARGS_USER_GS, %rax
    call wrmsr64
    movq args + ARGS_KERNEL_IRQS, %rax
    movq %rax, args + ARGS_LEFT_K
    movq args + ARGS_USER_IRQS, %rax
    movq %rax, args + ARGS_LEFT_U
    cmpq $0, args + ARGS_LEFT_K
    je 3f
2:  int $32                             # from ring 0
    decq args + ARGS_LEFT_K
    jnz 2b
3:  swapgs                              # to user mode: the user's GS base in, percpu parked
    pushq $0x23
    pushq $(ustack + 0x1000)
    pushq $0x202
    pushq $0x2b
    pushq $user_entry
    iretq

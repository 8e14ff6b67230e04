# Long mode with user segments, a TSS (RSP0 = the kernel stack) and user-accessible paging.
# Vector 32 (DPL 3) is the learner's irq_entry, vector 33 (DPL 3) an exit that records the GS
# MSRs and halts. The kernel raises `int $32` args.kernel_irqs times in ring 0 (GS base =
# percpu), then enters the user program (GS base = the user's) which raises it args.user_irqs
# times and exits.
    .globl _start
    .set GDT, sys
    .set IDT, sys + 0x1000
    .set TSS, sys + 0x2000
    .set PML4, sys + 0x3000
    .set PDPT, sys + 0x4000
    .set PD, sys + 0x5000
    .set GDTR, sys + 0x6000
    .set IDTR, sys + 0x6010

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
    movabsq $0x00af9a000000ffff, %rax
    movq %rax, GDT + 0x08
    movabsq $0x00cf92000000ffff, %rax
    movq %rax, GDT + 0x10
    movabsq $0x00cffa000000ffff, %rax
    movq %rax, GDT + 0x18
    movabsq $0x00cff2000000ffff, %rax
    movq %rax, GDT + 0x20
    movabsq $0x00affa000000ffff, %rax
    movq %rax, GDT + 0x28
    movabsq $(0x67 | (TSS << 16) | (0x89 << 40)), %rax
    movq %rax, GDT + 0x30
    movw $0x3f, GDTR
    movq $GDT, GDTR + 2
    lgdt GDTR
    movq $(PDPT + 7), PML4
    movq $(PD + 7), PDPT
    movq $0x87, PD
    movq $0x200087, PD + 8
    movq $PML4, %rax
    movq %rax, %cr3
    pushq $0x08
    pushq $1f
    lretq
1:  movl $0x10, %eax
    movl %eax, %ds
    movl %eax, %es
    movl %eax, %ss
    movq $(kstack + 0x1000), TSS + 4    # RSP0
    movw $0x30, %ax
    ltr %ax
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

# On the flat GDT with its TSS and identity paging (machine: in the spec), sets up an IDT, fills
# the kernel's registers with junk, and calls enter_user(user_entry, user stack). The user program makes one `int $0x80`;
# its handler records the registers the user program had and halts in ring 0.
    .globl _start, user_entry

    .set IDT, sys
    .set IDTR, sys + 0x1000

    .balign 16
user_entry:                                 # ring 3
    int $0x80
    jmp user_entry

int80_stop:                                 # ring 0, on the TSS.RSP0 stack
    movq %rax, seen + SEEN_RAX
    movq %rbx, seen + SEEN_RBX
    movq %rcx, seen + SEEN_RCX
    movq %rdx, seen + SEEN_RDX
    movq %rsi, seen + SEEN_RSI
    movq %rdi, seen + SEEN_RDI
    movq %rbp, seen + SEEN_RBP
    movq %r8, seen + SEEN_R8
    movq %r9, seen + SEEN_R9
    movq %r10, seen + SEEN_R10
    movq %r11, seen + SEEN_R11
    movq %r12, seen + SEEN_R12
    movq %r13, seen + SEEN_R13
    movq %r14, seen + SEEN_R14
    movq %r15, seen + SEEN_R15
    hlt

_start:
    call setup_machine
    movq $(iframe + IFRAME_SIZE), tss + 4    # TSS.RSP0: the ring-0 stack for interrupts from ring 3
    movq $int80_stop, %rsi
    movq $0x80, %rdi
    movl $0xee00, %edx                      # interrupt gate, DPL 3, no IST
    call set_gate
    movq kregs + KREGS_RAX, %rax
    movq kregs + KREGS_RBX, %rbx
    movq kregs + KREGS_RCX, %rcx
    movq kregs + KREGS_RDX, %rdx
    movq kregs + KREGS_RBP, %rbp
    movq kregs + KREGS_R8, %r8
    movq kregs + KREGS_R9, %r9
    movq kregs + KREGS_R10, %r10
    movq kregs + KREGS_R11, %r11
    movq kregs + KREGS_R12, %r12
    movq kregs + KREGS_R13, %r13
    movq kregs + KREGS_R14, %r14
    movq kregs + KREGS_R15, %r15
    movq $user_entry, %rdi
    movq args + ARGS_USER_STACK, %rsi
    call enter_user
    hlt                                     # enter_user must not return

# An empty IDT.
setup_machine:
    movw $0xfff, IDTR
    movq $IDT, IDTR + 2
    lidt IDTR
    ret

# set_gate(vector = rdi, handler = rsi, dx = type/attributes << 8 | IST)
set_gate:
    shlq $4, %rdi
    addq $IDT, %rdi
    movw %si, (%rdi)
    movw $0x08, 2(%rdi)
    movw %dx, 4(%rdi)
    movq %rsi, %rax
    shrq $16, %rax
    movw %ax, 6(%rdi)
    shrq $16, %rax
    movl %eax, 8(%rdi)
    movl $0, 12(%rdi)
    ret

# 32-bit protected mode on the flat GDT with its TSS (machine: in the spec), whose SS0:ESP0 the
# harness points at the kernel stack, and an IDT whose vector 0x80 (DPL 3) halts in ring 0 after recording what the user program had.
# The harness fills the registers with junk and calls enter_user32(user_entry, user stack).
    .code32
    .globl _start, user_entry
    .set IDT, sys
    .set IDTR, sys + 0x800

user_entry:                             # ring 3
    int $0x80
    jmp user_entry

int80_stop:                             # ring 0, on SS0:ESP0; DS..GS still the user's
    movl %eax, seen + SEEN_EAX
    movl %ebx, seen + SEEN_EBX
    movl %ecx, seen + SEEN_ECX
    movl %edx, seen + SEEN_EDX
    movl %esi, seen + SEEN_ESI
    movl %edi, seen + SEEN_EDI
    movl %ebp, seen + SEEN_EBP
    movw %ds, seen + SEEN_DS
    movw %es, seen + SEEN_ES
    movw %fs, seen + SEEN_FS
    movw %gs, seen + SEEN_GS
    hlt

_start:
    movl $(iframe + IFRAME_SIZE), tss + 4   # ESP0 (SS0 is the kernel data selector 0x10)
    movl $int80_stop, %eax              # interrupt gate 0x80, DPL 3
    movw %ax, IDT + 0x80 * 8
    movw $0x08, IDT + 0x80 * 8 + 2
    movw $0xee00, IDT + 0x80 * 8 + 4
    shrl $16, %eax
    movw %ax, IDT + 0x80 * 8 + 6
    movw $0x7ff, IDTR
    movl $IDT, IDTR + 2
    lidt IDTR
    pushl args + ARGS_USER_STACK
    pushl $user_entry
    movl kregs + KREGS_EAX, %eax
    movl kregs + KREGS_EBX, %ebx
    movl kregs + KREGS_ECX, %ecx
    movl kregs + KREGS_EDX, %edx
    movl kregs + KREGS_ESI, %esi
    movl kregs + KREGS_EDI, %edi
    movl kregs + KREGS_EBP, %ebp
    call enter_user32
    hlt                                 # enter_user32 must not return

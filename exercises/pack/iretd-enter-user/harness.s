# 32-bit protected mode: a GDT with user segments and a TSS whose SS0:ESP0 is the kernel stack,
# an IDT whose vector 0x80 (DPL 3) halts in ring 0 after recording what the user program had.
# The harness fills the registers with junk and calls enter_user32(user_entry, user stack).
    .code32
    .globl _start, user_entry
    .set GDT, sys
    .set IDT, sys + 0x400
    .set TSS, sys + 0x100
    .set GDTR, sys + 0x200
    .set IDTR, sys + 0x210

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
    movl $0x0000ffff, GDT + 0x08        # 0x08 kernel code
    movl $0x00cf9a00, GDT + 0x0c
    movl $0x0000ffff, GDT + 0x10        # 0x10 kernel data
    movl $0x00cf9200, GDT + 0x14
    movl $0x0000ffff, GDT + 0x18        # 0x18 user code, DPL 3
    movl $0x00cffa00, GDT + 0x1c
    movl $0x0000ffff, GDT + 0x20        # 0x20 user data, DPL 3
    movl $0x00cff200, GDT + 0x24
    movl $(0x67 | ((TSS & 0xffff) << 16)), GDT + 0x28   # 0x28 32-bit TSS, available
    movl $(((TSS >> 16) & 0xff) | 0x8900 | (TSS & 0xff000000)), GDT + 0x2c
    movw $0x2f, GDTR
    movl $GDT, GDTR + 2
    lgdt GDTR
    ljmp $0x08, $1f
1:  movl $0x10, %eax
    movl %eax, %ds
    movl %eax, %es
    movl %eax, %ss
    movl $(iframe + IFRAME_SIZE), TSS + 4   # ESP0
    movl $0x10, TSS + 8                     # SS0
    movw $0x28, %ax
    ltr %ax
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

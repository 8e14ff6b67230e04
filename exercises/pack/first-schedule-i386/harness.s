# 32-bit protected mode: a GDT with user segments, the TSS `ktss` (SS0 = 0x10, ESP0 = the idle
# thread's stack) and an IDT whose vector 0x80 (DPL 3) records, in ring 0, where its frame landed
# and halts. The user program records what it started with, through SS (the one data segment it
# can trust), and makes the system call at once.
# The harness calls prepare_first_schedule(&proc), then switches from the idle thread to proc.
    .code32
    .globl _start, user_entry, switch_to32
    .set GDT, sys
    .set IDT, sys + 0x400
    .set GDTR, sys + 0x200
    .set IDTR, sys + 0x210

user_entry:                             # ring 3
    movl %eax, %ss:seen + SEEN_EAX
    movl %ebx, %ss:seen + SEEN_EBX
    movl %ecx, %ss:seen + SEEN_ECX
    movl %edx, %ss:seen + SEEN_EDX
    movl %esi, %ss:seen + SEEN_ESI
    movl %edi, %ss:seen + SEEN_EDI
    movl %ebp, %ss:seen + SEEN_EBP
    movw %ds, %ss:seen + SEEN_DS
    movw %es, %ss:seen + SEEN_ES
    movw %fs, %ss:seen + SEEN_FS
    movw %gs, %ss:seen + SEEN_GS
    movl %esp, %ss:seen + SEEN_ESP
    movl (%esp), %eax
    movl %eax, %ss:seen + SEEN_RET
    movl 4(%esp), %eax
    movl %eax, %ss:seen + SEEN_ARG0
    movl 8(%esp), %eax
    movl %eax, %ss:seen + SEEN_ARG1
    pushfl
    popl %eax
    movl %eax, %ss:seen + SEEN_EFLAGS
    int $0x80
    jmp user_entry

int80_stop:                             # ring 0, on the TSS's SS0:ESP0
    movl %esp, %ss:seen + SEEN_KESP
    movl 4(%esp), %eax
    movl %eax, %ss:seen + SEEN_CS
    movl 16(%esp), %eax
    movl %eax, %ss:seen + SEEN_SS
    hlt

# switch_to32(prev, next), cdecl: the process switch of the kernel. Keeps prev's callee-saved
# registers on its stack, sets current = next and continues next where its stack says.
switch_to32:
    movl 4(%esp), %eax
    movl 8(%esp), %edx
    pushl %ebp
    pushl %ebx
    pushl %esi
    pushl %edi
    movl %esp, PROC_ESP(%eax)
    movl %edx, current + CURRENT_PROC
    movl PROC_ESP(%edx), %esp
    popl %edi
    popl %esi
    popl %ebx
    popl %ebp
    ret

_start:
    movl $0x0000ffff, GDT + 0x08        # 0x08 kernel code
    movl $0x00cf9a00, GDT + 0x0c
    movl $0x0000ffff, GDT + 0x10        # 0x10 kernel data
    movl $0x00cf9200, GDT + 0x14
    movl $0x0000ffff, GDT + 0x18        # 0x18 user code, DPL 3
    movl $0x00cffa00, GDT + 0x1c
    movl $0x0000ffff, GDT + 0x20        # 0x20 user data, DPL 3
    movl $0x00cff200, GDT + 0x24
    movl $(0x67 | ((ktss & 0xffff) << 16)), GDT + 0x28   # 0x28 32-bit TSS, available
    movl $(((ktss >> 16) & 0xff) | 0x8900 | (ktss & 0xff000000)), GDT + 0x2c
    movw $0x2f, GDTR
    movl $GDT, GDTR + 2
    lgdt GDTR
    ljmp $0x08, $1f
1:  movl $0x10, %eax
    movl %eax, %ds
    movl %eax, %es
    movl %eax, %ss
    movl $(stack + 0x1000), ktss + TSS_ESP0 # the idle thread's kernel stack
    movl $0x10, ktss + TSS_SS0
    movw $0x68, ktss + TSS_IOMAP_BASE     # no I/O bitmap
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
    movl $idle, current + CURRENT_PROC
    movl kregs + KREGS_EBX, %ebx
    movl kregs + KREGS_ESI, %esi
    movl kregs + KREGS_EDI, %edi
    movl kregs + KREGS_EBP, %ebp
    pushl $proc
    call prepare_first_schedule
    addl $4, %esp
    movl %ebx, kept + KEPT_EBX
    movl %esi, kept + KEPT_ESI
    movl %edi, kept + KEPT_EDI
    movl %ebp, kept + KEPT_EBP
    movl %esp, kept + KEPT_ESP
    pushl $proc
    pushl $idle
    call switch_to32
    hlt                                 # the idle thread is never switched back to


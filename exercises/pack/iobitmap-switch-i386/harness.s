# 32-bit protected mode with paging: a GDT with user segments and the TSS `ktss`, whose I/O map
# base points at an 8-byte I/O permission bitmap (ports 0-63) followed by the 0xff byte the SDM
# asks for; its limit ends there. Two page directories map the first 4 MiB alike. Process A (the
# harness) runs with its own bitmap, kernel stack and CR3 and switches to B. B resumes in
# b_resume and enters its user code in ring 3 (IOPL 0), which tries IN on every port 0-63: the
# #GP handler marks a refused one and skips the 1-byte `in al, dx`. B's int 0x80 records where
# its frame landed and CR3, and halts.
    .code32
    .globl _start, b_resume
    .set GDT, sys
    .set IDT, sys + 0x400
    .set GDTR, sys + 0x200
    .set IDTR, sys + 0x210
    .set PT, paging
    .set PDA, paging + 0x1000
    .set PDB, paging + 0x2000

b_user:                                 # ring 3, B's user code
    xorl %esi, %esi                     # edi:esi = the ports that IN may use
    xorl %edi, %edi
    xorl %ecx, %ecx
1:  movl %ecx, %edx
    movb $1, %bl                        # the #GP handler clears bl
    inb %dx, %al
    testb %bl, %bl
    jz 3f
    cmpl $32, %ecx
    jae 2f
    btsl %ecx, %esi
    jmp 3f
2:  btsl %ecx, %edi                     # bit ecx - 32
3:  incl %ecx
    cmpl $64, %ecx
    jne 1b
    movl %esi, %ss:seen + SEEN_ALLOWED
    movl %edi, %ss:seen + SEEN_ALLOWED + 4
    int $0x80
    jmp b_user

gp_refused:                             # ring 0: error code, EIP, CS, EFLAGS, ESP, SS
    xorb %bl, %bl
    addl $4, %esp
    incl (%esp)                         # past `in al, dx` (0xec)
    iretl

int80_stop:                             # ring 0, on the TSS's SS0:ESP0
    movl %esp, %ss:seen + SEEN_KESP
    movl %cr3, %eax
    movl %eax, %ss:seen + SEEN_CR3
    hlt

b_resume:                               # ring 0, B's kernel stack, after switch_to32 returned
    movl %edi, seen + SEEN_EDI
    movl %esi, seen + SEEN_ESI
    movl %ebx, seen + SEEN_EBX
    movl %ebp, seen + SEEN_EBP
    movl $0x23, %eax
    movl %eax, %ds
    movl %eax, %es
    movl %eax, %fs
    movl %eax, %gs
    pushl $0x23
    pushl $(ustack + 0x1000)
    pushl $0x202                        # IOPL 0: IN from ring 3 asks the bitmap
    pushl $0x1b
    pushl $b_user
    iretl

# gate(vector = ecx, handler = eax, access = dx): a 32-bit gate with selector 0x08
gate:
    movw %ax, IDT(,%ecx,8)
    movw $0x08, IDT + 2(,%ecx,8)
    movw %dx, IDT + 4(,%ecx,8)
    shrl $16, %eax
    movw %ax, IDT + 6(,%ecx,8)
    ret

_start:
    xorl %ecx, %ecx                     # one page table: the first 4 MiB, user, writable
1:  movl %ecx, %eax
    shll $12, %eax
    orl $7, %eax
    movl %eax, PT(,%ecx,4)
    incl %ecx
    cmpl $1024, %ecx
    jne 1b
    movl $(PT + 7), PDA
    movl $(PT + 7), PDB
    movl $0x0000ffff, GDT + 0x08        # 0x08 kernel code
    movl $0x00cf9a00, GDT + 0x0c
    movl $0x0000ffff, GDT + 0x10        # 0x10 kernel data
    movl $0x00cf9200, GDT + 0x14
    movl $0x0000ffff, GDT + 0x18        # 0x18 user code, DPL 3
    movl $0x00cffa00, GDT + 0x1c
    movl $0x0000ffff, GDT + 0x20        # 0x20 user data, DPL 3
    movl $0x00cff200, GDT + 0x24
    movl $(TSS_IOMAP_END | ((ktss & 0xffff) << 16)), GDT + 0x28   # 0x28 TSS, limit: the 0xff byte
    movl $(((ktss >> 16) & 0xff) | 0x8900 | (ktss & 0xff000000)), GDT + 0x2c
    movw $0x2f, GDTR
    movl $GDT, GDTR + 2
    lgdt GDTR
    ljmp $0x08, $2f
2:  movl $0x10, %eax
    movl %eax, %ds
    movl %eax, %es
    movl %eax, %ss
    movl ta + PROC_ESP0, %eax           # A's TSS state
    movl %eax, ktss + TSS_ESP0
    movl $0x10, ktss + TSS_SS0
    movw $TSS_IOMAP, ktss + TSS_IOMAP_BASE
    movl ta + PROC_IOMAP, %eax
    movl %eax, ktss + TSS_IOMAP
    movl ta + PROC_IOMAP + 4, %eax
    movl %eax, ktss + TSS_IOMAP + 4
    movb $0xff, ktss + TSS_IOMAP_END
    movw $0x28, %ax
    ltr %ax
    movl $13, %ecx
    movl $gp_refused, %eax
    movw $0x8e00, %dx                   # interrupt gate, DPL 0
    call gate
    movl $0x80, %ecx
    movl $int80_stop, %eax
    movw $0xee00, %dx                   # interrupt gate, DPL 3
    call gate
    movw $0x7ff, IDTR
    movl $IDT, IDTR + 2
    lidt IDTR
    movl ta + PROC_CR3, %eax
    movl %eax, %cr3
    movl %cr0, %eax
    orl $0x80000000, %eax
    movl %eax, %cr0
    pushl $tb
    pushl $ta
    call switch_to32
    hlt                                 # A is never switched back to

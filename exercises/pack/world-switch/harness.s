# Two worlds in 32-bit protected mode with paging. Each has a GDT (0x08 code, 0x10 data, 0x18
# user code, 0x20 user data, 0x28 TSS), an IDT and a page directory; both page directories map
# the first 4 MiB to themselves. The host world is loaded; the guest world is described by the
# vcpu. The guest's IDT sends `int $0x81` (DPL 3) to the learner's guest_exit, on the stack its
# TSS names. The harness enters the guest twice, then records the host's state and halts.
    .code32
    .globl _start, guest_code, guest_after
    .set HGDT, hsys
    .set HIDT, hsys + 0x400
    .set HTSS, hsys + 0xc00
    .set HPD, hsys + 0x1000
    .set HGDTR, hsys + 0xf00
    .set HIDTR, hsys + 0xf10
    .set GGDT, gsys
    .set GIDT, gsys + 0x400
    .set GTSS, gsys + 0xc00
    .set GPD, gsys + 0x1000

guest_code:                             # ring 3 in the guest world
    addl %ebx, %eax
    xorl %ecx, %edx
    incl %esi
    notl %edi
    negl %ebp
    cmpl %eax, %eax                     # flags at the exit: ZF PF IF = 0x246
    int $0x81
guest_after:
    jmp guest_code

# build_gdt(gdt = edi, tss = esi): the five segments and a 32-bit TSS descriptor (available)
build_gdt:
    movl $0x0000ffff, 0x08(%edi)
    movl $0x00cf9a00, 0x0c(%edi)
    movl $0x0000ffff, 0x10(%edi)
    movl $0x00cf9200, 0x14(%edi)
    movl $0x0000ffff, 0x18(%edi)
    movl $0x00cffa00, 0x1c(%edi)
    movl $0x0000ffff, 0x20(%edi)
    movl $0x00cff200, 0x24(%edi)
    movl %esi, %eax
    shll $16, %eax
    orl $0x67, %eax
    movl %eax, 0x28(%edi)
    movl %esi, %eax
    shrl $16, %eax
    andl $0xff, %eax
    orl $0x8900, %eax
    movl %esi, %ecx
    andl $0xff000000, %ecx
    orl %ecx, %eax
    movl %eax, 0x2c(%edi)
    ret

_start:
    pushl %ebx                          # the case's callee-saved registers, for enter_guest
    pushl %esi
    pushl %edi
    pushl %ebp
    xorl %ecx, %ecx                     # one page table: the first 4 MiB, user, writable
1:  movl %ecx, %eax
    shll $12, %eax
    orl $7, %eax
    movl %eax, pt(,%ecx,4)
    incl %ecx
    cmpl $1024, %ecx
    jne 1b
    movl $(pt + 7), HPD
    movl $(pt + 7), GPD
    movl $HGDT, %edi
    movl $HTSS, %esi
    call build_gdt
    movl $GGDT, %edi
    movl $GTSS, %esi
    call build_gdt
    movl $(stack + 0x1000), HTSS + 4    # host SS0:ESP0 (unused: the host never leaves ring 0)
    movl $0x10, HTSS + 8
    movl $(exitstack + 0x1000), GTSS + 4    # guest SS0:ESP0: where guest_exit runs
    movl $0x10, GTSS + 8
    movl $guest_exit, %eax              # guest IDT: int 0x81, interrupt gate, DPL 3
    movw %ax, GIDT + 0x81 * 8
    movw $0x08, GIDT + 0x81 * 8 + 2
    movw $0xee00, GIDT + 0x81 * 8 + 4
    shrl $16, %eax
    movw %ax, GIDT + 0x81 * 8 + 6
    movw $0x2f, HGDTR
    movl $HGDT, HGDTR + 2
    lgdt HGDTR
    movw $0x7ff, HIDTR
    movl $HIDT, HIDTR + 2
    lidt HIDTR
    ljmp $0x08, $2f
2:  movl $0x10, %eax
    movl %eax, %ds
    movl %eax, %es
    movl %eax, %ss
    movl hin + HIN_FS, %eax
    movl %eax, %fs
    movl hin + HIN_GS, %eax
    movl %eax, %gs
    movw $0x28, %ax
    ltr %ax
    movl $HPD, %eax
    movl %eax, %cr3
    movl %cr0, %eax
    orl $0x80000000, %eax
    movl %eax, %cr0
    popl %ebp
    popl %edi
    popl %esi
    popl %ebx
    pushl $vcpu
    call enter_guest
    call enter_guest
    leal 4(%esp), %esp
    sgdt seen + SEEN_GDT_LIMIT
    sidt seen + SEEN_IDT_LIMIT
    str seen + SEEN_TR
    movl %cr3, %eax
    movl %eax, seen + SEEN_CR3
    movw %cs, seen + SEEN_CS
    movw %ss, seen + SEEN_SS
    movw %ds, seen + SEEN_DS
    movw %es, seen + SEEN_ES
    movw %fs, seen + SEEN_FS
    movw %gs, seen + SEEN_GS
    movzbl HGDT + 0x28 + 5, %eax
    movl %eax, seen + SEEN_TSS_ACCESS
    hlt

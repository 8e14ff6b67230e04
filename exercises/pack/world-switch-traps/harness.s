# 32-bit protected mode with paging (4 MiB pages, CR4.PSE). One GDT for both worlds: 0x08 code,
# 0x10 data, 0x18 user code, 0x20 user data, 0x28 the host's TSS, 0x30 the guest's, whose ESP0
# is the end of the register block `regs`, 0x38 a not-present user data segment. CR0.AM is set. Each world has its own IDT and page directory. The
# host IDT's 256 handlers record their vector and the frame they got, and IRET (an exception,
# 0-31, halts instead: in the host it is a bug). The guest IDT
# points every vector at the learner's stub (guest_stubs + 16 * n), DPL 3 except the vectors
# that come with an error code (DPL 0: an INT n for them from ring 3 raises #GP instead).
# run_guest enters the guest (lguest-style: pushfl, lcall switch_to_guest) and returns when the
# guest has gone back to the host; the harness then records the host's state and halts.
    .code32
    .globl _start, after_lcall, g_div, g_ud2, g_gp, g_pf, g_np, g_ss, g_ac, g_ints
    .set GDT, sys
    .set HTSS, sys + 0x100
    .set GTSS, sys + 0x200
    .set GDTR, sys + 0x300
    .set HIDTR, sys + 0x310
    .set GIDTR, sys + 0x320
    .set HIDT, sys + 0x800
    .set GIDT, sys + 0x1000
    .set HPD, sys + 0x2000
    .set GPD, sys + 0x3000

# The guest, ring 3. Each kind of trap is preceded by an NMI (int $2), which must come back.
    .balign 16
    int $2
g_div:
    divl %ss:zero
    int $2
g_ud2:
    ud2
    int $2
g_gp:
    movw %ss:bad_selector, %ds          # beyond the GDT's limit: #GP(0x48)
    int $2
g_pf:
    movl %ss:0x800000, %eax             # not mapped in the guest: #PF(4)
    int $2
g_np:
    movw %ss:np_selector, %ds           # a not-present data segment: #NP(0x38)
    int $2
g_ss:
    movw %ss:np_selector, %ss           # the same as SS: #SS(0x38)
    int $2
g_ac:
    movl %ss:odd, %eax                  # CR0.AM and EFLAGS.AC at CPL 3: #AC(0)
    .balign 8
g_ints:                                 # slot n: int $2; int $n; int $0x80
    .set n, 0
    .rept 256
    .balign 8
    int $2
    int $n
    int $0x80
    .set n, n + 1
    .endr
zero:
    .long 0
bad_selector:
    .word 0x4b
np_selector:
    .word 0x3b
    .balign 4
    .byte 0
odd:
    .long 0

# The host's handlers: vector, then the frame the CPU (or deliver_to_host) left.
    .macro host_stub v
    .balign 16
    movl $\v, seen + SEEN_VECTOR
    jmp host_common
    .endm
    .balign 16
host_stubs:
    .irp hi, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
    .irp lo, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
    host_stub (\hi * 16 + \lo)
    .endr
    .endr
host_common:
    cmpl $32, seen + SEEN_VECTOR        # an exception in the host is fatal
    jb 1f
    pushl %eax
    movl 4(%esp), %eax
    movl %eax, seen + SEEN_EIP
    movl 8(%esp), %eax
    movl %eax, seen + SEEN_CS
    popl %eax
    iretl
1:  hlt

run_guest:
    pushfl
    lcall $0x08, $switch_to_guest
after_lcall:
    ret

# The host's half of the world switch (the entry): the host's callee-saved and segment registers
# on its stack, the rest in hostblk; then the guest's IDT, TSS and CR3, and its registers popped
# from the block.
switch_to_guest:
    pushl %ebp
    pushl %ebx
    pushl %esi
    pushl %edi
    pushl %ds
    pushl %es
    pushl %fs
    pushl %gs
    movl %esp, hostblk + HOST_ESP
    movl %cr3, %eax
    movl %eax, hostblk + HOST_CR3
    sgdt hostblk + HOST_GDT_LIMIT
    sidt hostblk + HOST_IDT_LIMIT
    str hostblk + HOST_TR
    lidt GIDTR
    andb $0xfd, GDT + 0x30 + 5
    movw $0x30, %ax
    ltr %ax
    movl $GPD, %eax
    movl %eax, %cr3
    movl $0x23, %eax
    movl %eax, %ds
    movl %eax, %es
    movl %eax, %fs
    movl %eax, %gs
    movl $regs, %esp
    popal
    addl $8, %esp                       # trap number and error code
    iretl

# gate(vector = ecx, handler = eax, access = dx, table = edi)
gate:
    movw %ax, (%edi,%ecx,8)
    movw $0x08, 2(%edi,%ecx,8)
    movw %dx, 4(%edi,%ecx,8)
    shrl $16, %eax
    movw %ax, 6(%edi,%ecx,8)
    ret

_start:
    pushl %ebx                          # the host's callee-saved registers, for run_guest
    pushl %esi
    pushl %edi
    pushl %ebp
    movl $0x0000ffff, GDT + 0x08
    movl $0x00cf9a00, GDT + 0x0c
    movl $0x0000ffff, GDT + 0x10
    movl $0x00cf9200, GDT + 0x14
    movl $0x0000ffff, GDT + 0x18
    movl $0x00cffa00, GDT + 0x1c
    movl $0x0000ffff, GDT + 0x20
    movl $0x00cff200, GDT + 0x24
    movl $(0x67 | ((HTSS & 0xffff) << 16)), GDT + 0x28
    movl $(((HTSS >> 16) & 0xff) | 0x8900 | (HTSS & 0xff000000)), GDT + 0x2c
    movl $(0x67 | ((GTSS & 0xffff) << 16)), GDT + 0x30
    movl $(((GTSS >> 16) & 0xff) | 0x8900 | (GTSS & 0xff000000)), GDT + 0x34
    movl $0x0000ffff, GDT + 0x38        # 0x38 user data, not present
    movl $0x00cf7200, GDT + 0x3c
    movw $0x3f, GDTR
    movl $GDT, GDTR + 2
    lgdt GDTR
    ljmp $0x08, $1f
1:  movl $0x10, %eax
    movl %eax, %ds
    movl %eax, %es
    movl %eax, %fs
    movl %eax, %gs
    movl %eax, %ss
    movl $(stack + 0x1000), HTSS + 4
    movl $0x10, HTSS + 8
    movl $(regs + REGS_SIZE), GTSS + 4  # the guest's traps land at the end of its block
    movl $0x10, GTSS + 8
    movw $0x28, %ax
    ltr %ax
    movl $0x87, HPD                     # 0-4 MiB, 4 MiB page, user, writable
    movl $0x87, GPD
    movl %cr4, %eax
    orl $0x10, %eax                     # CR4.PSE
    movl %eax, %cr4
    movl $HPD, %eax
    movl %eax, %cr3
    movl %cr0, %eax
    orl $0x80040000, %eax               # CR0.PG and CR0.AM
    movl %eax, %cr0
    movl $HIDT, %edi                    # host IDT: interrupt gates, DPL 0
    xorl %ecx, %ecx
2:  movl %ecx, %eax
    shll $4, %eax
    addl $host_stubs, %eax
    movw $0x8e00, %dx
    call gate
    incl %ecx
    cmpl $256, %ecx
    jne 2b
    movl $guest_stubs, %esi             # the entry is a `jmp rel32` to the learner's table
    movl 1(%esi), %eax
    leal 5(%esi,%eax), %esi
    movl $GIDT, %edi                    # guest IDT: interrupt gates, DPL 3 or 0
    xorl %ecx, %ecx
3:  movl %ecx, %eax
    shll $4, %eax
    addl %esi, %eax
    movw $0xee00, %dx
    cmpl $32, %ecx
    jae 5f
    movl $0x60227d00, %ebx              # 8, 10-14, 17, 21, 29, 30: the CPU pushes an error code
    btl %ecx, %ebx
    jnc 5f
    movw $0x8e00, %dx
5:  call gate
    incl %ecx
    cmpl $256, %ecx
    jne 3b
    movw $0x7ff, HIDTR
    movl $HIDT, HIDTR + 2
    movw $0x7ff, GIDTR
    movl $GIDT, GIDTR + 2
    lidt HIDTR
    popl %ebp
    popl %edi
    popl %esi
    popl %ebx
    call run_guest
    sidt seen + SEEN_IDT_LIMIT
    str seen + SEEN_TR
    movl %cr3, %eax
    movl %eax, seen + SEEN_CR3
    movw %ds, seen + SEEN_DS
    movw %es, seen + SEEN_ES
    movw %fs, seen + SEEN_FS
    movw %gs, seen + SEEN_GS
    movw %ss, seen + SEEN_SS
    movzbl GDT + 0x28 + 5, %eax
    movl %eax, seen + SEEN_TSS_ACCESS
    hlt

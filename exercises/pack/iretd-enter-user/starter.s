# enter_user32(entry, user_stack), cdecl: start the user program at `entry` in ring 3 with its
# stack at `user_stack`, DS/ES/FS/GS = 0x23, EFLAGS = 0x202, every general register zero.
# Never returns.
    .intel_syntax noprefix
    .code32
    .globl enter_user32
enter_user32:
    mov eax, [esp + 4]
    jmp eax                         # runs the program, but in ring 0 on the kernel's stack

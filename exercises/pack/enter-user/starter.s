# enter_user(entry = rdi, user_stack = rsi): start the user program at `entry` in ring 3 with
# its stack at `user_stack`, interrupts enabled, and every general register zero. Never returns.
    .intel_syntax noprefix
    .globl enter_user
enter_user:
    # ... push SS, RSP, RFLAGS, CS, RIP ...
    # ... clear the registers ...
    jmp rdi                 # runs the program, but still in ring 0 on the kernel's stack

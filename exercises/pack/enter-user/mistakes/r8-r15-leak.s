# Clears only the eight legacy registers: r8-r15 still hold kernel values in user mode.
    .intel_syntax noprefix
    .globl enter_user
enter_user:
    push 0x23               # SS: user data, RPL 3
    push rsi                # RSP
    push 0x202              # RFLAGS: IF, and bit 1 which is always set
    push 0x2b               # CS: 64-bit user code, RPL 3
    push rdi                # RIP
    xor eax, eax            # a 32-bit write clears the upper half too
    xor ebx, ebx
    xor ecx, ecx
    xor edx, edx
    xor esi, esi
    xor edi, edi
    xor ebp, ebp
    iretq

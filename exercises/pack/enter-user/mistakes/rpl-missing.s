# Pushes the user selectors without RPL 3: IRETQ stays in ring 0 and the descriptors (DPL 3) do not match.
    .intel_syntax noprefix
    .globl enter_user
enter_user:
    push 0x20               # SS without its RPL
    push rsi                # RSP
    push 0x202              # RFLAGS: IF, and bit 1 which is always set
    push 0x28               # CS without its RPL
    push rdi                # RIP
    xor eax, eax            # a 32-bit write clears the upper half too
    xor ebx, ebx
    xor ecx, ecx
    xor edx, edx
    xor esi, esi
    xor edi, edi
    xor ebp, ebp
    xor r8d, r8d
    xor r9d, r9d
    xor r10d, r10d
    xor r11d, r11d
    xor r12d, r12d
    xor r13d, r13d
    xor r14d, r14d
    xor r15d, r15d
    iretq

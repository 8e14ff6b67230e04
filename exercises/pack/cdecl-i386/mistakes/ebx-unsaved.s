# Uses ebx for the sum without saving it.
    .intel_syntax noprefix
    .code32
    .globl sum3
sum3:
    push dword ptr [esp + 4]
    call twist
    add esp, 4
    mov ebx, eax
    push dword ptr [esp + 8]
    call twist
    add esp, 4
    add ebx, eax
    push dword ptr [esp + 12]
    call twist
    add esp, 4
    add eax, ebx
    ret

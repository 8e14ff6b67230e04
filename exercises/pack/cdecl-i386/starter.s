# sum3(a, b, c) = twist(a) + twist(b) + twist(c), cdecl: the arguments are at 4(%esp), 8(%esp)
# and 12(%esp) on entry; twist takes its argument on the stack and may change eax, ecx and edx;
# keep ebx, esi, edi, ebp and esp for your caller. Return the sum in eax.
    .intel_syntax noprefix
    .code32
    .globl sum3
sum3:
    mov eax, [esp + 4]
    ret

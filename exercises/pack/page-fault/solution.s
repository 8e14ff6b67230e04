# Reference solution (Intel syntax).
    .intel_syntax noprefix
    .globl pf_handler
# #PF: [rsp] = error code, [rsp+8] = RIP of the faulting instruction, then CS, RFLAGS, RSP, SS.
pf_handler:
    push rax
    push rcx
    inc qword ptr [stats + STATS_COUNT]
    mov rax, cr2
    mov [stats + STATS_LAST_CR2], rax
    mov rcx, [rsp + 16]                     # the error code, above our two pushes
    mov [stats + STATS_LAST_ERROR], rcx
    mov rcx, rax
    shr rcx, 12
    and ecx, 511                            # index of the page table entry
    and rax, -4096
    or rax, 3                               # present | writable, same physical page
    mov [pt + rcx*8], rax
    pop rcx
    pop rax
    add rsp, 8                              # drop the error code
    iretq                                   # the faulting instruction runs again

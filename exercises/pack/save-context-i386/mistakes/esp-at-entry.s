# Saves esp as it is inside the routine, pointing at the return address.
    .code32
    .globl save_context32
# save_context32(struct context32 *ctx), cdecl
save_context32:
    pushfl                          # before any instruction can change them
    pushl %eax
    movl 12(%esp), %eax             # ctx: above eax, the flags and the return address
    movl %ebx, CTX_EBX(%eax)
    movl %ecx, CTX_ECX(%eax)
    movl %edx, CTX_EDX(%eax)
    movl %esi, CTX_ESI(%eax)
    movl %edi, CTX_EDI(%eax)
    movl %ebp, CTX_EBP(%eax)
    popl CTX_EAX(%eax)              # the caller's eax
    popl CTX_EFLAGS(%eax)
    movl %esp, %ecx
    movl %ecx, CTX_ESP(%eax)
    movl (%esp), %ecx
    movl %ecx, CTX_EIP(%eax)
    movl CTX_ECX(%eax), %ecx
    movl CTX_EAX(%eax), %eax        # last: mov changes no flag
    ret

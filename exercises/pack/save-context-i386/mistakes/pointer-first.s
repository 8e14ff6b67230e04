# Loads the struct's address into eax before saving eax.
    .code32
    .globl save_context32
save_context32:
    pushfl
    movl 8(%esp), %eax
    movl %eax, CTX_EAX(%eax)
    movl %ebx, CTX_EBX(%eax)
    movl %ecx, CTX_ECX(%eax)
    movl %edx, CTX_EDX(%eax)
    movl %esi, CTX_ESI(%eax)
    movl %edi, CTX_EDI(%eax)
    movl %ebp, CTX_EBP(%eax)
    popl CTX_EFLAGS(%eax)
    leal 4(%esp), %ecx
    movl %ecx, CTX_ESP(%eax)
    movl (%esp), %ecx
    movl %ecx, CTX_EIP(%eax)
    movl CTX_ECX(%eax), %ecx
    ret

# Computes the caller's esp with add before saving the flags.
    .code32
    .globl save_context32
save_context32:
    pushl %ecx
    movl %esp, %ecx
    addl $8, %ecx
    pushfl
    pushl %eax
    movl 16(%esp), %eax
    movl %ecx, CTX_ESP(%eax)
    popl CTX_EAX(%eax)
    popl CTX_EFLAGS(%eax)
    popl %ecx
    movl %ebx, CTX_EBX(%eax)
    movl %ecx, CTX_ECX(%eax)
    movl %edx, CTX_EDX(%eax)
    movl %esi, CTX_ESI(%eax)
    movl %edi, CTX_EDI(%eax)
    movl %ebp, CTX_EBP(%eax)
    movl (%esp), %ecx
    movl %ecx, CTX_EIP(%eax)
    movl CTX_ECX(%eax), %ecx
    pushl CTX_EFLAGS(%eax)
    popfl
    movl CTX_EAX(%eax), %eax
    ret

# save_context32(ctx), cdecl: store every general register, esp as the caller had it before its
# call, eflags, and eip = the return address into the struct (CTX_EAX ... CTX_EIP), and return
# with every register and flag unchanged.
    .code32
    .globl save_context32
save_context32:
    movl 4(%esp), %eax
    movl %ebx, CTX_EBX(%eax)
    ret

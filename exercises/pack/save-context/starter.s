# save_context: store every register into the struct at rdi, then return.
# Offsets: CTX_RAX, CTX_RBX, ..., CTX_R15, CTX_RSP, CTX_RFLAGS, CTX_RIP.
    .intel_syntax noprefix
    .globl save_context
save_context:
    mov [rdi + CTX_RAX], rax
    # ... the other registers ...
    ret

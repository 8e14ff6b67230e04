    .intel_syntax noprefix
    .globl save_context
save_context:
    pushfq                          # the flags, before any instruction can change them
    mov [rdi + CTX_RAX], rax
    mov [rdi + CTX_RBX], rbx
    mov [rdi + CTX_RCX], rcx
    mov [rdi + CTX_RDX], rdx
    mov [rdi + CTX_RSI], rsi
    mov [rdi + CTX_RDI], rdi
    mov [rdi + CTX_RBP], rbp
    mov [rdi + CTX_R8], r8
    mov [rdi + CTX_R9], r9
    mov [rdi + CTX_R10], r10
    mov [rdi + CTX_R11], r11
    mov [rdi + CTX_R12], r12
    mov [rdi + CTX_R13], r13
    mov [rdi + CTX_R14], r14
    mov [rdi + CTX_R15], r15
    lea rax, [rsp + 16]             # above our saved flags and the return address
    mov [rdi + CTX_RSP], rax
    mov rax, [rsp + 8]              # the return address
    mov [rdi + CTX_RIP], rax
    pop rax
    mov [rdi + CTX_RFLAGS], rax
    mov rax, [rdi + CTX_RAX]        # mov and pop leave the flags alone
    ret

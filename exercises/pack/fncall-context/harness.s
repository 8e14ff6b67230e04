# The caller runs with the FS and GS bases of `host`. It calls run_fncall(&ctx); the context's
# function, guest_fn, records what it runs with, then behaves like foreign code: it moves its own
# FS and GS bases, scrambles every register but rsp and returns script.ret. The caller records
# its bases after run_fncall returns.
    .globl _start, guest_fn

guest_fn:
    movq %rdi, seen + SEEN_ARG
    movq %rsp, seen + SEEN_RSP
    movl $0xc0000100, %ecx
    rdmsr
    movl %eax, seen + SEEN_FS
    movl %edx, seen + SEEN_FS + 4
    movl $0xc0000101, %ecx
    rdmsr
    movl %eax, seen + SEEN_GS
    movl %edx, seen + SEEN_GS + 4
    incq seen + SEEN_RAN
    movl $0xc0000100, %ecx
    movl script + SCRIPT_NEW_FS, %eax
    movl script + SCRIPT_NEW_FS + 4, %edx
    wrmsr
    movl $0xc0000101, %ecx
    movl script + SCRIPT_NEW_GS, %eax
    movl script + SCRIPT_NEW_GS + 4, %edx
    wrmsr
    movabsq $0x5a5a5a5a5a5a5a5a, %rbx
    movq %rbx, %rbp
    notq %rbp
    movq %rbx, %rcx
    movq %rbp, %rdx
    movq %rbx, %rsi
    movq %rbp, %rdi
    movq %rbx, %r8
    movq %rbp, %r9
    movq %rbx, %r10
    movq %rbp, %r11
    movq %rbx, %r12
    movq %rbp, %r13
    movq %rbx, %r14
    movq %rbp, %r15
    movq script + SCRIPT_RET, %rax
    ret

_start:
    movl $0xc0000100, %ecx
    movl host + HOST_FS, %eax
    movl host + HOST_FS + 4, %edx
    wrmsr
    movl $0xc0000101, %ecx
    movl host + HOST_GS, %eax
    movl host + HOST_GS + 4, %edx
    wrmsr
    movq $ctx, %rdi
    call run_fncall
    movl $0xc0000100, %ecx
    rdmsr
    movl %eax, after + AFTER_FS
    movl %edx, after + AFTER_FS + 4
    movl $0xc0000101, %ecx
    rdmsr
    movl %eax, after + AFTER_GS
    movl %edx, after + AFTER_GS + 4
    hlt

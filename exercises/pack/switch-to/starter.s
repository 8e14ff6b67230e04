# switch_to(prev = rdi, next = rsi): keep the callee-saved registers on prev's stack, save prev's
# rsp in prev->rsp (offset THREAD_RSP), load next->rsp, restore next's registers and return on
# next's stack.
    .intel_syntax noprefix
    .globl switch_to
switch_to:
    mov [rdi + THREAD_RSP], rsp
    mov rsp, [rsi + THREAD_RSP]
    ret

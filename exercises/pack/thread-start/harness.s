# thread_init prepares thread B (stack top, entry `worker`, a random argument); then thread A
# switches to it with the switch_to of the previous exercise. `worker` logs how it was called.
    .globl _start, switch_to, thread_exit, worker
switch_to:                  # rdi = prev, rsi = next
    pushq %rbx
    pushq %rbp
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, (%rdi)
    movq (%rsi), %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbp
    popq %rbx
    ret

worker:                     # worker(arg) = arg ^ 0x5a5a5a5a5a5a5a5a
    incq seen + SEEN_CALLS
    movq %rdi, seen + SEEN_ARG
    movq %rsp, seen + SEEN_RSP
    leaq 8(%rsp), %rax
    andq $15, %rax          # nonzero unless rsp was 16-byte aligned at the call
    movq %rax, seen + SEEN_MISALIGNED
    movabsq $0x5a5a5a5a5a5a5a5a, %rax
    xorq %rdi, %rax
    ret

thread_exit:                # thread_exit(code): never returns
    movq %rdi, seen + SEEN_EXIT_CODE
    incq seen + SEEN_EXITS
    hlt

_start:
    call thread_init        # rdi = &tb, rsi = stack top, rdx = worker, rcx = argument
    movq $ta, %rdi
    movq $tb, %rsi
    call switch_to
    hlt                     # A is never resumed

# Thread A (the case's registers) switches to thread B, whose stack the case prepared as if B
# had called switch_to itself. B writes down the registers it resumes with, then switches back.
    .globl _start, b_resume, a_back
_start:
    call switch_to          # rdi = &ta, rsi = &tb
a_back:
    hlt

b_resume:                   # B, the first time it runs, on its own stack
    movq $b_twice, bframe + FRAME_RET   # a switch that brings B back here again halts instead of looping
    movq %rbx, seen + SEEN_RBX
    movq %rbp, seen + SEEN_RBP
    movq %r12, seen + SEEN_R12
    movq %r13, seen + SEEN_R13
    movq %r14, seen + SEEN_R14
    movq %r15, seen + SEEN_R15
    subq $16, %rsp          # B's stack has moved on since it was prepared: its switch back saves a new rsp
    movq $tb, %rdi
    movq $ta, %rsi
    call switch_to
    hlt                     # B is never resumed again
b_twice:
    hlt

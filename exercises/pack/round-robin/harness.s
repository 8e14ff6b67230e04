# Three ring-3 tasks and a clock, on the flat GDT with its TSS and identity paging (machine: in
# the spec). Each task keeps fifteen registers and its stack pointer at values of its own and
# checks them in a loop, counting rounds in its data block (r15 points at it) and errors when a
# register changed under it; each round then moves every value on, so a register the switch left
# stale shows too, and a task sent back to its entry counts an error. The clock is the machine's
# timer device (`machine.timer` in the spec): interrupt 32 every few hundred instructions. Its
# gate leads to `tick`, which counts the ticks and enters the learner's timer_entry with the
# interrupted task's frame untouched; the ninth tick halts.
    .globl _start, task_entry
    .set IDT, sys
    .set IDTR, sys + 0x1000

task_entry:                             # ring 3, r15 = the task's data block; entered once
    incq TD_STARTS(%r15)
    cmpq $1, TD_STARTS(%r15)
    je task_round
    incq TD_ERRORS(%r15)                # back at its entry: the task lost its RIP
task_round:
    incq TD_COUNT(%r15)
    cmpq %rsp, TD_RSP(%r15)
    jne task_bad
    cmpq %rax, TD_RAX(%r15)
    jne task_bad
    cmpq %rbx, TD_RBX(%r15)
    jne task_bad
    cmpq %rcx, TD_RCX(%r15)
    jne task_bad
    cmpq %rdx, TD_RDX(%r15)
    jne task_bad
    cmpq %rsi, TD_RSI(%r15)
    jne task_bad
    cmpq %rdi, TD_RDI(%r15)
    jne task_bad
    cmpq %rbp, TD_RBP(%r15)
    jne task_bad
    cmpq %r8, TD_R8(%r15)
    jne task_bad
    cmpq %r9, TD_R9(%r15)
    jne task_bad
    cmpq %r10, TD_R10(%r15)
    jne task_bad
    cmpq %r11, TD_R11(%r15)
    jne task_bad
    cmpq %r12, TD_R12(%r15)
    jne task_bad
    cmpq %r13, TD_R13(%r15)
    jne task_bad
    cmpq %r14, TD_R14(%r15)
    jne task_bad
task_step:                              # every round moves each register and its copy on: a stale one shows
    stc                                 # CF stays set through the increments: resumed with flags not its own, a task sees it clear
    incq %rax
    incq TD_RAX(%r15)
    incq %rbx
    incq TD_RBX(%r15)
    incq %rcx
    incq TD_RCX(%r15)
    incq %rdx
    incq TD_RDX(%r15)
    incq %rsi
    incq TD_RSI(%r15)
    incq %rdi
    incq TD_RDI(%r15)
    incq %rbp
    incq TD_RBP(%r15)
    incq %r8
    incq TD_R8(%r15)
    incq %r9
    incq TD_R9(%r15)
    incq %r10
    incq TD_R10(%r15)
    incq %r11
    incq TD_R11(%r15)
    incq %r12
    incq TD_R12(%r15)
    incq %r13
    incq TD_R13(%r15)
    incq %r14
    incq TD_R14(%r15)
    jnc task_bad
    subq $8, %rsp
    subq $8, TD_RSP(%r15)
    jmp task_round
task_bad:
    incq TD_ERRORS(%r15)
    jmp task_step

tick:                                   # ring 0, interrupt 32: the timer
    incq sched + SCHED_TICKS
    cmpq $9, sched + SCHED_TICKS
    jae 1f
    jmp timer_entry
1:  hlt

# set_gate(vector = rdi, handler = rsi): interrupt gate, DPL 0
set_gate:
    shlq $4, %rdi
    addq $IDT, %rdi
    movw %si, (%rdi)
    movw $0x08, 2(%rdi)
    movw $0x8e00, 4(%rdi)
    movq %rsi, %rax
    shrq $16, %rax
    movw %ax, 6(%rdi)
    shrq $16, %rax
    movl %eax, 8(%rdi)
    movl $0, 12(%rdi)
    ret

_start:
    movq $(kstack + 0x1000), tss + 4    # RSP0: every tick arrives on this stack
    movq $32, %rdi
    movq $tick, %rsi
    call set_gate
    movw $0xfff, IDTR
    movq $IDT, IDTR + 2
    lidt IDTR
    pushq $0x23                         # start task 0
    pushq t0 + TASK_RSP
    pushq t0 + TASK_RFLAGS
    pushq $0x2b
    pushq t0 + TASK_RIP
    movq t0 + TASK_RAX, %rax
    movq t0 + TASK_RBX, %rbx
    movq t0 + TASK_RCX, %rcx
    movq t0 + TASK_RDX, %rdx
    movq t0 + TASK_RSI, %rsi
    movq t0 + TASK_RDI, %rdi
    movq t0 + TASK_RBP, %rbp
    movq t0 + TASK_R8, %r8
    movq t0 + TASK_R9, %r9
    movq t0 + TASK_R10, %r10
    movq t0 + TASK_R11, %r11
    movq t0 + TASK_R12, %r12
    movq t0 + TASK_R13, %r13
    movq t0 + TASK_R14, %r14
    movq t0 + TASK_R15, %r15
    iretq

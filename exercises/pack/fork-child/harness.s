# On the flat GDT with its TSS and identity paging (machine: in the spec), the parent program
# (ring 3) loads random registers and forks with `int $0x80`. The kernel's entry saves a trap
# frame (the layout of the common interrupt entry) and calls do_fork, which lets copy_thread
# prepare the child, gives the parent its result (1) and switches to the child with the
# switch_to of the kernel-threads track. The child should come back to user mode right after the
# int with the parent's registers and rax = 0; it records them and traps to halt.
    .globl _start, switch_to
    .set IDT, sys
    .set IDTR, sys + 0x1000

parent_program:                         # ring 3
    movq uregs + UREGS_RAX, %rax
    movq uregs + UREGS_RBX, %rbx
    movq uregs + UREGS_RCX, %rcx
    movq uregs + UREGS_RDX, %rdx
    movq uregs + UREGS_RSI, %rsi
    movq uregs + UREGS_RDI, %rdi
    movq uregs + UREGS_RBP, %rbp
    movq uregs + UREGS_R8, %r8
    movq uregs + UREGS_R9, %r9
    movq uregs + UREGS_R10, %r10
    movq uregs + UREGS_R11, %r11
    movq uregs + UREGS_R12, %r12
    movq uregs + UREGS_R13, %r13
    movq uregs + UREGS_R14, %r14
    movq uregs + UREGS_R15, %r15
    int $0x80                           # fork
after_fork:                             # both return here; only the child runs in this exercise
    movq %rax, seen + SEEN_RAX
    movq %rbx, seen + SEEN_RBX
    movq %rcx, seen + SEEN_RCX
    movq %rdx, seen + SEEN_RDX
    movq %rsi, seen + SEEN_RSI
    movq %rdi, seen + SEEN_RDI
    movq %rbp, seen + SEEN_RBP
    movq %r8, seen + SEEN_R8
    movq %r9, seen + SEEN_R9
    movq %r10, seen + SEEN_R10
    movq %r11, seen + SEEN_R11
    movq %r12, seen + SEEN_R12
    movq %r13, seen + SEEN_R13
    movq %r14, seen + SEEN_R14
    movq %r15, seen + SEEN_R15
    movq %rsp, seen + SEEN_RSP
    pushfq
    popq seen + SEEN_RFLAGS
    movq $1, seen + SEEN_DONE
    int $0x81

child_done:                             # ring 0
    hlt

sys_entry:                              # int 0x80, ring 0 on the parent's kernel stack
    pushq $0                            # error code
    pushq $0x80                         # vector
    pushq %rax
    pushq %rbx
    pushq %rcx
    pushq %rdx
    pushq %rsi
    pushq %rdi
    pushq %rbp
    pushq %r8
    pushq %r9
    pushq %r10
    pushq %r11
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, %rdi
    call do_fork
    hlt                                 # the parent is not resumed in this exercise

switch_to:                              # switch_to(prev = rdi, next = rsi)
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

do_fork:                                # do_fork(struct trapframe *parent_tf)
    pushq %rbx
    movq %rdi, %rbx
    movq $tchild, %rdi
    movq $(kchild + 0x1000), %rsi
    movq %rbx, %rdx
    call copy_thread                    # copy_thread(child, its kernel stack top, parent's frame)
    movq $1, TF_RAX(%rbx)               # the parent's fork() returns the child's id
    movq $(kchild + 0x1000), tss + 4    # the child's kernel stack for its next entry
    movq $tparent, %rdi
    movq $tchild, %rsi
    call switch_to
    popq %rbx
    ret

# set_gate(vector = rdi, handler = rsi): interrupt gate, DPL 3
set_gate:
    shlq $4, %rdi
    addq $IDT, %rdi
    movw %si, (%rdi)
    movw $0x08, 2(%rdi)
    movw $0xee00, 4(%rdi)
    movq %rsi, %rax
    shrq $16, %rax
    movw %ax, 6(%rdi)
    shrq $16, %rax
    movl %eax, 8(%rdi)
    movl $0, 12(%rdi)
    ret

_start:
    movq $(kparent + 0x1000), tss + 4   # RSP0: the parent's kernel stack
    movq $0x80, %rdi
    movq $sys_entry, %rsi
    call set_gate
    movq $0x81, %rdi
    movq $child_done, %rsi
    call set_gate
    movw $0xfff, IDTR
    movq $IDT, IDTR + 2
    lidt IDTR
    pushq $0x23                         # start the parent program
    pushq $(ustack + 0x1000)
    pushq $0x202
    pushq $0x2b
    pushq $parent_program
    iretq

# Long mode with user segments and user-accessible page tables. The harness writes a marker at
# the context's FS base and calls return_to_user(&uctx). The user program pushes the quadword at
# %fs:0 (so the marker lands on its stack if the FS base is right) and executes hlt, which faults
# in ring 3 and ends the run with the user's registers in place.
    .globl _start, user_resume
    .set GDT, sys
    .set PML4, sys + 0x1000
    .set PDPT, sys + 0x2000
    .set PD, sys + 0x3000
    .set GDTR, sys + 0x4000

user_resume:                            # ring 3
    pushq %fs:0
    hlt

_start:
    movabsq $0x00af9a000000ffff, %rax
    movq %rax, GDT + 0x08
    movabsq $0x00cf92000000ffff, %rax
    movq %rax, GDT + 0x10
    movabsq $0x00cffa000000ffff, %rax
    movq %rax, GDT + 0x18
    movabsq $0x00cff2000000ffff, %rax
    movq %rax, GDT + 0x20
    movabsq $0x00affa000000ffff, %rax
    movq %rax, GDT + 0x28
    movw $0x2f, GDTR
    movq $GDT, GDTR + 2
    lgdt GDTR
    movq $(PDPT + 7), PML4
    movq $(PD + 7), PDPT
    movq $0x87, PD
    movq $0x200087, PD + 8
    movq $PML4, %rax
    movq %rax, %cr3
    pushq $0x08
    pushq $1f
    lretq
1:  movl $0x10, %eax
    movl %eax, %ds
    movl %eax, %es
    movl %eax, %ss
    movq uctx + UCTX_FSBASE, %rax
    movq args + ARGS_MARKER, %rcx
    movq %rcx, (%rax)
    movq $uctx, %rdi
    call return_to_user
    hlt                                 # return_to_user must not return

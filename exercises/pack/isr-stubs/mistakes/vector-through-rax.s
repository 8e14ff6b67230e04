# Pushes the vector through rax: the interrupted code's rax is lost before anything saved it.
# SDM Vol. 3A, Table 6-1: the CPU pushes an error code for 8, 10-14, 17, 21, 29 and 30.
    .macro stub n
    .globl isr\n
isr\n:
    .if (\n == 8) || (\n >= 10 && \n <= 14) || (\n == 17) || (\n == 21) || (\n == 29) || (\n == 30)
    .else
    pushq $0                    # a dummy where the CPU pushes no error code
    .endif
    movq $\n, %rax
    pushq %rax
    jmp isr_common
    .endm

    .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    stub \n
    .endr
    .irp n, 32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47
    stub \n
    .endr

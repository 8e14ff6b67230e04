# Returns with RET instead of jumping to isr_common: the vector it just pushed is popped as the return address.
# SDM Vol. 3A, Table 6-1: in protected mode the CPU pushes an error code for 8, 10-14, 17 and 21.
    .intel_syntax noprefix
    .code32
    .macro stub n
    .globl isr\n
isr\n:
    .if (\n == 8) || (\n >= 10 && \n <= 14) || (\n == 17) || (\n == 21)
    .else
    push 0                      # a dummy where the CPU pushes no error code
    .endif
    push \n
    ret
    .endm

    .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,128
    stub \n
    .endr

# Calls sum3(a, b, c) (cdecl) with the case's callee-saved registers, then halts. twist(x) =
# rol(x, 7) ^ 0x9e3779b9 records its argument and overwrites eax, ecx and edx, as cdecl allows.
    .code32
    .globl _start, twist
twist:
    movl log + LOG_CALLS, %ecx
    movl 4(%esp), %eax
    movl %eax, log + LOG_A0(,%ecx,4)
    incl log + LOG_CALLS
    roll $7, %eax
    xorl $0x9e3779b9, %eax
    movl $0x5ca77e7e, %ecx
    movl %ecx, %edx
    ret

_start:
    pushl args + ARGS_C
    pushl args + ARGS_B
    pushl args + ARGS_A
    call sum3
    leal 12(%esp), %esp
    hlt

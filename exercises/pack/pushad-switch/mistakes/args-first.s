# Reads the arguments into eax and ecx before saving the registers.
    .code32
    .globl proc_switch
proc_switch:
    movl 4(%esp), %eax
    movl 8(%esp), %ecx
    pushfl
    pushal
    movl %esp, (%eax)
    movl %ecx, %esp
    popal
    popfl
    ret

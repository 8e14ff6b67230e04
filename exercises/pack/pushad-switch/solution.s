# Reference solution (AT&T syntax).
    .code32
    .globl proc_switch
# proc_switch(save_esp_here = [esp+4], new_esp = [esp+8]), cdecl
proc_switch:
    pushfl
    pushal                      # eax ecx edx ebx esp ebp esi edi: edi ends lowest
    movl 40(%esp), %eax         # 36 bytes pushed + the return address
    movl %esp, (%eax)
    movl 44(%esp), %esp
    popal
    popfl
    ret

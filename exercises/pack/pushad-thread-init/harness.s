# Fills B's stack with junk, lets thread_setup prepare it, and switches to it with a correct
# PUSHAD/PUSHFD switch. `worker` records what it starts with; thread_exit records its result.
    .code32
    .globl _start, proc_switch, worker, thread_exit
proc_switch:                    # proc_switch(save_esp_here, new_esp)
    pushfl
    pushal
    movl 40(%esp), %eax
    movl %esp, (%eax)
    movl 44(%esp), %esp
    popal
    popfl
    ret

worker:                         # worker(arg) = arg ^ 0x5a5a5a5a
    movl %eax, seen + SEEN_EAX
    movl %ebx, seen + SEEN_EBX
    movl %ecx, seen + SEEN_ECX
    movl %edx, seen + SEEN_EDX
    movl %esi, seen + SEEN_ESI
    movl %edi, seen + SEEN_EDI
    movl %ebp, seen + SEEN_EBP
    pushfl
    popl seen + SEEN_EFLAGS
    incl seen + SEEN_CALLS
    movl 4(%esp), %eax
    movl %eax, seen + SEEN_ARG
    xorl $0x5a5a5a5a, %eax
    ret

thread_exit:                    # reached by the worker's ret, with its result in eax
    movl %eax, seen + SEEN_EXIT_CODE
    incl seen + SEEN_EXITS
    hlt

_start:
    movl args + ARGS_JUNK, %eax
    movl $bstack, %edi
    movl $0x400, %ecx
    cld
    rep stosl
    pushl args + ARGS_ARG
    pushl $worker
    pushl args + ARGS_TOP
    call thread_setup           # thread_setup(stack_top, entry, arg) -> initial esp
    leal 12(%esp), %esp
    movl %eax, tb + THREAD_ESP
    pushl %eax
    pushl $ta
    call proc_switch
    hlt                         # A is never resumed

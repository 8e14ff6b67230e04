# Process A (the case's registers and flags) switches to B, whose stack was prepared as if B had
# called proc_switch itself. B records what it resumes with and switches back.
    .code32
    .globl _start, b_resume
_start:
    pushl tb + THREAD_ESP       # new esp
    pushl $ta                   # where to save A's esp
    call proc_switch
    leal 8(%esp), %esp          # lea leaves the flags alone
    hlt

b_resume:
    movl %eax, seen + SEEN_EAX
    movl %ebx, seen + SEEN_EBX
    movl %ecx, seen + SEEN_ECX
    movl %edx, seen + SEEN_EDX
    movl %esi, seen + SEEN_ESI
    movl %edi, seen + SEEN_EDI
    movl %ebp, seen + SEEN_EBP
    pushfl
    popl seen + SEEN_EFLAGS
    pushl ta + THREAD_ESP
    pushl $tb
    call proc_switch
    hlt

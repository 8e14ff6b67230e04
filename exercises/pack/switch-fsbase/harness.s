# Thread A runs with FS base seen.a_fs_in (the case's), thread B's stack and FS base were prepared
# in its struct. A switches to B; B records the FS base it runs with and switches back; A records
# its own.
    .globl _start, b_resume

b_resume:
    movl $0xc0000100, %ecx
    rdmsr
    movl %eax, seen + SEEN_B_FS
    movl %edx, seen + SEEN_B_FS + 4
    movq $tb, %rdi
    movq $ta, %rsi
    call switch_to
    hlt

_start:
    movl $0xc0000100, %ecx          # A's FS base
    movl seen + SEEN_A_FS_IN, %eax
    movl seen + SEEN_A_FS_IN + 4, %edx
    wrmsr
    movq $ta, %rdi
    movq $tb, %rsi
    call switch_to
    movl $0xc0000100, %ecx
    rdmsr
    movl %eax, seen + SEEN_A_FS
    movl %edx, seen + SEEN_A_FS + 4
    hlt

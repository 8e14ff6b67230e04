# Calls combine with the case's registers (rsp 16-byte aligned), then halts.
    .globl _start, twist
_start:
    call combine
    hlt

# twist(x) = rotl(x, 13) ^ 0x5bd1e9955bd1e995, overwriting every scratch register.
twist:
    incq status + STATUS_CALLS
    testq $8, %rsp         # on entry rsp must be 8 mod 16
    jnz 1f
    movq $1, status + STATUS_MISALIGNED
1:  movq %rdi, %rax
    rolq $13, %rax
    movabsq $0x5bd1e9955bd1e995, %rcx
    xorq %rcx, %rax
    movabsq $0x5ca77e7ed5ca77e7, %rcx
    movq %rcx, %rdx
    movq %rcx, %rsi
    movq %rcx, %rdi
    movq %rcx, %r8
    movq %rcx, %r9
    movq %rcx, %r10
    movq %rcx, %r11
    ret

# Calls call_aligned(report, arg) at a random stack depth (8-byte aligned, so half the cases are
# 16-byte aligned and half are not). report logs its stack alignment and clobbers every scratch
# register, as a C function may.
    .globl _start, report

report:                         # report(x) = 3x + 1
    incq log + LOG_CALLS
    movq %rdi, log + LOG_ARG
    leaq 8(%rsp), %rax
    andq $15, %rax
    movq %rax, log + LOG_MISALIGNED
    leaq 1(%rdi,%rdi,2), %rax
    movabsq $0x5ca77e7ed5ca77e7, %rcx
    movq %rcx, %rdx
    movq %rcx, %rsi
    movq %rcx, %rdi
    movq %rcx, %r8
    movq %rcx, %r9
    movq %rcx, %r10
    movq %rcx, %r11
    ret

_start:
    call call_aligned           # rdi = report, rsi = the argument
    hlt

# Calls save_context32(&ctx) (cdecl) with the case's registers and flags, then halts.
    .code32
    .globl _start, after_call
_start:
    pushl $ctx
    call save_context32
after_call:
    leal 4(%esp), %esp          # lea: the flags stay as they are
    hlt

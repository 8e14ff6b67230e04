# Calls restore_context(&ctx). A correct restore never comes back: it continues at `landing`
# with ctx's registers, and the checks read the registers as they are at landing's hlt.
    .globl _start, landing
_start:
    call restore_context
returned:
    hlt                     # only reached when restore_context returns like a function

    .balign 16
landing:
    hlt

# Long mode with the flat GDT (user code 0x2b, user data 0x23) and identity paging ring 3 may
# use, both from machine: in the spec. The harness writes a marker at the context's FS base and
# calls return_to_user(&uctx). The user program pushes the quadword at %fs:0 (so the marker lands
# on its stack if the FS base is right) and executes hlt, which faults in ring 3 and ends the run
# with the user's registers in place.
    .globl _start, user_resume

user_resume:                            # ring 3
    pushq %fs:0
    hlt

_start:
    movq uctx + UCTX_FSBASE, %rax
    movq args + ARGS_MARKER, %rcx
    movq %rcx, (%rax)
    movq $uctx, %rdi
    call return_to_user
    hlt                                 # return_to_user must not return

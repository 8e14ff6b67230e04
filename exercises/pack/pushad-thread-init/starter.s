# thread_setup(stack_top, entry, arg), cdecl: prepare the stack below stack_top so that
# proc_switch into it pops eight zero registers (POPAD) and EFLAGS 0x202 (POPFD), then returns
# into entry, which finds thread_exit as its return address and arg as its argument.
# Return the new esp in eax.
    .code32
    .globl thread_setup
thread_setup:
    movl 4(%esp), %eax
    ret

# Stores the stack in RSP0, which only privilege changes use.
    .globl setup_df_ist
# setup_df_ist(idt = rdi, tss = rsi, stack_top = rdx)
setup_df_ist:
    movq %rdx, 4(%rsi)
    movb $1, 8 * 16 + 4(%rdi)           # gate 8, byte 4: IST index 1 (SDM Vol. 3A, Figure 6-8)
    ret

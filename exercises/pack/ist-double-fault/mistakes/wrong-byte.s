# Writes the IST index into byte 5, over the gate's type and DPL.
    .globl setup_df_ist
# setup_df_ist(idt = rdi, tss = rsi, stack_top = rdx)
setup_df_ist:
    movq %rdx, 0x24(%rsi)               # TSS.IST1 (SDM Vol. 3A, Figure 8-11)
    movb $1, 8 * 16 + 5(%rdi)
    ret

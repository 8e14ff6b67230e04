# setup_df_ist(idt = rdi, tss = rsi, stack_top = rdx): make the double-fault handler (IDT
# vector 8) run on the stack that ends at stack_top, through the TSS's IST1 slot.
    .globl setup_df_ist
setup_df_ist:
    ret

# The flat GDT with its 64-bit TSS (machine: in the spec), an IDT with gates for #DF (8) and #PF
# (14), and page tables in which the page just below the kernel stack (0x6f000) is not present. After setup_df_ist, a runaway
# recursion overflows the kernel stack: the #PF cannot be delivered on that stack either, which
# makes a double fault. Its handler records where it runs and halts.
    .globl _start, df_handler
    .set IDT, sys + 0x1000
    .set PML4, sys + 0x3000
    .set PDPT, sys + 0x4000
    .set PD, sys + 0x5000
    .set PT, sys + 0x6000
    .set IDTR, sys + 0x110

df_handler:
    movq $1, seen + SEEN_DF
    movq %rsp, seen + SEEN_RSP
    movq 8(%rsp), %rax                  # above the error code (always 0 for #DF)
    movq %rax, seen + SEEN_RIP
    hlt

pf_handler:                             # never completes: its frame cannot be pushed
    movq $1, seen + SEEN_PF
    hlt

recurse:
    call recurse

# set_gate(vector = rdi, handler = rsi): a ring-0 interrupt gate, no IST
set_gate:
    shlq $4, %rdi
    addq $IDT, %rdi
    movw %si, (%rdi)
    movw $0x08, 2(%rdi)
    movw $0x8e00, 4(%rdi)
    movq %rsi, %rax
    shrq $16, %rax
    movw %ax, 6(%rdi)
    shrq $16, %rax
    movl %eax, 8(%rdi)
    movl $0, 12(%rdi)
    ret

_start:
    xorl %ecx, %ecx                     # PT: identity 4 KiB pages, but 0x6f000 is not present
2:  movq %rcx, %rax
    shlq $12, %rax
    orq $3, %rax
    cmpq $0x6f, %rcx
    jne 3f
    xorl %eax, %eax
3:  movq %rax, PT(,%rcx,8)
    incq %rcx
    cmpq $512, %rcx
    jne 2b
    movq $(PDPT + 3), PML4
    movq $(PD + 3), PDPT
    movq $(PT + 3), PD
    movq $0x200083, PD + 8
    movq $PML4, %rax
    movq %rax, %cr3
    movq $8, %rdi
    movq $df_handler, %rsi
    call set_gate
    movq $14, %rdi
    movq $pf_handler, %rsi
    call set_gate
    movw $0xfff, IDTR
    movq $IDT, IDTR + 2
    lidt IDTR
    movq $IDT, %rdi
    movq $tss, %rsi
    movq args + ARGS_TOP, %rdx
    call setup_df_ist
    movq IDT + 8 * 16, %rax
    movq %rax, seen + SEEN_GATE_LO
    movq IDT + 8 * 16 + 8, %rax
    movq %rax, seen + SEEN_GATE_HI
    movq tss + 0x24, %rax
    movq %rax, seen + SEEN_IST1
    call recurse

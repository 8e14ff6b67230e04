# Two address spaces (two PML4s that both identity-map the first 4 MiB) and a TSS. Thread A
# switches to B, B records its RSP0 and CR3 and switches back, then A records its own.
    .globl _start, b_resume
    .set PML4_A, paging
    .set PML4_B, paging + 0x1000
    .set PDPT, paging + 0x2000
    .set PD, paging + 0x3000
_start:
    movq $(PDPT + 7), PML4_A
    movq $(PDPT + 7), PML4_B
    movq $(PD + 7), PDPT
    movq $0x87, PD
    movq $0x200087, PD + 8
    movq $PML4_A, %rax
    movq %rax, %cr3
    movq ta + THREAD_RSP0, %rax
    movq %rax, tss + 4
    movq $ta, %rdi
    movq $tb, %rsi
    call switch_to
    movq tss + 4, %rax
    movq %rax, seen + SEEN_A_RSP0
    movq %cr3, %rax
    movq %rax, seen + SEEN_A_CR3
    hlt

b_resume:
    movq tss + 4, %rax
    movq %rax, seen + SEEN_B_RSP0
    movq %cr3, %rax
    movq %rax, seen + SEEN_B_CR3
    movq $tb, %rdi
    movq $ta, %rsi
    call switch_to
    hlt

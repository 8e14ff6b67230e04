# One entry stub per vector, isr0 ... isr47. On entry the CPU has pushed SS, RSP, RFLAGS, CS, RIP
# and, for some vectors, an error code. Every stub must leave the same layout: the vector on top,
# an error code (the CPU's, or a zero you push) below it, then the CPU's frame; then jump to
# isr_common. Write one stub as a .macro and repeat it with .irp or .rept.
    .globl isr0
isr0:
    pushq $0
    jmp isr_common
    .globl isr1
isr1:
    pushq $1
    jmp isr_common
    .globl isr2
isr2:
    pushq $2
    jmp isr_common
    .globl isr3
isr3:
    pushq $3
    jmp isr_common
    .globl isr4
isr4:
    pushq $4
    jmp isr_common
    .globl isr5
isr5:
    pushq $5
    jmp isr_common
    .globl isr6
isr6:
    pushq $6
    jmp isr_common
    .globl isr7
isr7:
    pushq $7
    jmp isr_common
    .globl isr8
isr8:
    pushq $8
    jmp isr_common
    .globl isr9
isr9:
    pushq $9
    jmp isr_common
    .globl isr10
isr10:
    pushq $10
    jmp isr_common
    .globl isr11
isr11:
    pushq $11
    jmp isr_common
    .globl isr12
isr12:
    pushq $12
    jmp isr_common
    .globl isr13
isr13:
    pushq $13
    jmp isr_common
    .globl isr14
isr14:
    pushq $14
    jmp isr_common
    .globl isr15
isr15:
    pushq $15
    jmp isr_common
    .globl isr16
isr16:
    pushq $16
    jmp isr_common
    .globl isr17
isr17:
    pushq $17
    jmp isr_common
    .globl isr18
isr18:
    pushq $18
    jmp isr_common
    .globl isr19
isr19:
    pushq $19
    jmp isr_common
    .globl isr20
isr20:
    pushq $20
    jmp isr_common
    .globl isr21
isr21:
    pushq $21
    jmp isr_common
    .globl isr22
isr22:
    pushq $22
    jmp isr_common
    .globl isr23
isr23:
    pushq $23
    jmp isr_common
    .globl isr24
isr24:
    pushq $24
    jmp isr_common
    .globl isr25
isr25:
    pushq $25
    jmp isr_common
    .globl isr26
isr26:
    pushq $26
    jmp isr_common
    .globl isr27
isr27:
    pushq $27
    jmp isr_common
    .globl isr28
isr28:
    pushq $28
    jmp isr_common
    .globl isr29
isr29:
    pushq $29
    jmp isr_common
    .globl isr30
isr30:
    pushq $30
    jmp isr_common
    .globl isr31
isr31:
    pushq $31
    jmp isr_common
    .globl isr32
isr32:
    pushq $32
    jmp isr_common
    .globl isr33
isr33:
    pushq $33
    jmp isr_common
    .globl isr34
isr34:
    pushq $34
    jmp isr_common
    .globl isr35
isr35:
    pushq $35
    jmp isr_common
    .globl isr36
isr36:
    pushq $36
    jmp isr_common
    .globl isr37
isr37:
    pushq $37
    jmp isr_common
    .globl isr38
isr38:
    pushq $38
    jmp isr_common
    .globl isr39
isr39:
    pushq $39
    jmp isr_common
    .globl isr40
isr40:
    pushq $40
    jmp isr_common
    .globl isr41
isr41:
    pushq $41
    jmp isr_common
    .globl isr42
isr42:
    pushq $42
    jmp isr_common
    .globl isr43
isr43:
    pushq $43
    jmp isr_common
    .globl isr44
isr44:
    pushq $44
    jmp isr_common
    .globl isr45
isr45:
    pushq $45
    jmp isr_common
    .globl isr46
isr46:
    pushq $46
    jmp isr_common
    .globl isr47
isr47:
    pushq $47
    jmp isr_common

# Trap vectors, trap entry and the context switch in the style of xv6 (whose vectors.S a script
# writes out): here a .rept with .set counters builds the 256 vectors and their table.
# corpus: file bits=32 text=0x0 data=0x8000
	.code32
	.set SEG_KDATA, 2
	.set vec, 0
	.text
	.globl alltraps
.macro vector n
	.globl vector\n
vector\n:
	.ifne (\n == 8) + (\n >= 10) * (\n <= 14) + (\n == 17)
	.else
	pushl $0
	.endif
	pushl $\n
	jmp alltraps
.endm
.macro entry n
	.long vector\n
.endm
.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19
	vector \n
.endr
	.data
	.globl vectors
vectors:
.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19
	entry \n
.endr
	.text
alltraps:
	pushl %ds
	pushl %es
	pushl %fs
	pushl %gs
	pushal
	movw $(SEG_KDATA<<3), %ax
	movw %ax, %ds
	movw %ax, %es
	pushl %esp
	call trap
	addl $4, %esp
	.globl trapret
trapret:
	popal
	popl %gs
	popl %fs
	popl %es
	popl %ds
	addl $0x8, %esp
	iret
trap:
	ret

# void swtch(struct context **old, struct context *new);
	.globl swtch
swtch:
	movl 4(%esp), %eax
	movl 8(%esp), %edx
	pushl %ebp
	pushl %ebx
	pushl %esi
	pushl %edi
	movl %esp, (%eax)
	movl %edx, %esp
	popl %edi
	popl %esi
	popl %ebx
	popl %ebp
	ret

# Interrupt entry stubs generated with .macro and .rept, AT&T syntax.
# corpus: file bits=64 text=0xffffffff80000000 data=0xffffffff80100000
	.set NUM_VECTORS, 48

	.macro PUSH_REGS
	pushq %rax
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	.endm

	.macro POP_REGS
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rax
	.endm

	.macro ISR_NOERR num
	.p2align 3
isr\num:
	pushq $0
	pushq $\num
	jmp isr_common
	.endm

	.macro ISR_ERR num
	.p2align 3
isr\num:
	pushq $\num
	jmp isr_common
	.endm

	.macro STUB vec, haserr=0
	.if \haserr
	ISR_ERR \vec
	.else
	ISR_NOERR \vec
	.endif
	.endm

	.text
	STUB 0
	STUB 1
	STUB 2
	STUB 3
	STUB 4
	STUB 5
	STUB 6
	STUB 7
	STUB 8, 1
	STUB 9
	STUB 10, haserr=1
	STUB 11, 1
	STUB 12, 1
	STUB 13, 1
	STUB 14, 1
	STUB 15
	STUB 16
	STUB 17, 1
	.irp v, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47
	STUB \v
	.endr

isr_common:
	PUSH_REGS
	cld
	testb $3, 88(%rsp)
	jz 1f
	swapgs
1:	movq %rsp, %rdi
	call handle_interrupt
	testb $3, 88(%rsp)
	jz 2f
	swapgs
2:	POP_REGS
	addq $16, %rsp
	iretq

handle_interrupt:
	movq 72(%rdi), %rax
	cmpq $32, %rax
	jb 3f
	movl $0xfee000b0, %ecx
	movl $0, (%rcx)
3:	ret

	.irp reg, rax, rbx, rcx
	xorq %\reg, %\reg
	.endr
	.irpc n, 0123
	movl $\n, %eax
	.endr
	.p2align 4
idt_table:
	.rept 4
	.quad 0
	.endr

	.data
	.p2align 3
vectors:
	.irp n, 0, 1, 2, 3, 4, 5, 6, 7
	.quad isr\n
	.endr
	.set i, 0
	.rept 6
	.long i * 4 + (i << 2)
	.set i, i + 1
	.endr

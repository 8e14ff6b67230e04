# i386 protected-mode entry, task switch and interrupt return, AT&T syntax.
# corpus: file bits=32 text=0x100000 data=0x200000
	.set KERNEL_CS, 0x08
	.set KERNEL_DS, 0x10
	.set TSS_ESP0, 4
	.set TSS_SS0, 8
	.code32
	.text
	.globl start
start:
	cli
	lgdt gdt_ptr
	ljmp $KERNEL_CS, $reload_cs
reload_cs:
	movw $KERNEL_DS, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %fs
	movw %ax, %gs
	movw %ax, %ss
	movl $stack_top, %esp
	call kmain
halt:
	hlt
	jmp halt

	.macro ISR n
	.globl isr\n
isr\n:
	pushl $0
	pushl $\n
	jmp isr_common
	.endm
	ISR 32
	ISR 33
	ISR 128

isr_common:
	pushal
	pushl %ds
	pushl %es
	movw $KERNEL_DS, %ax
	movw %ax, %ds
	movw %ax, %es
	pushl %esp
	call kmain
	addl $4, %esp
	popl %es
	popl %ds
	popal
	addl $8, %esp
	iret

switch_task:
	movl 4(%esp), %eax
	movl 8(%esp), %edx
	pushfl
	pushl %ebp
	pushl %ebx
	pushl %esi
	pushl %edi
	movl %esp, (%eax)
	movl (%edx), %esp
	movl tss + TSS_ESP0, %ecx
	movl %ecx, tss + TSS_ESP0
	popl %edi
	popl %esi
	popl %ebx
	popl %ebp
	popfl
	ret

to_user:
	movl 4(%esp), %ecx
	pushl $0x23
	pushl $0x0
	pushl $0x202
	pushl $0x1b
	pushl %ecx
	iretl

kmain:
	pushl %ebp
	movl %esp, %ebp
	subl $16, %esp
	movl 8(%ebp), %eax
	leal -4(%ebp,%eax,4), %edx
	incl %eax
	decl %edx
	loop 1f
1:	jecxz 2f
	nop
2:	movl %ebp, %esp
	popl %ebp
	ret
	.p2align 4, 0x90
	.fill 20, 1, 0x90
	.balign 32

	.data
gdt:
	.quad 0
	.quad 0x00cf9a000000ffff
	.quad 0x00cf92000000ffff
gdt_end:
gdt_ptr:
	.word gdt_end - gdt - 1
	.long gdt
tss:
	.fill 26, 4, 0
	.long 0, 0
stack:
	.skip 64
stack_top:

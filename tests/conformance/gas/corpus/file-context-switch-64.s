# Context save and restore for a small x86-64 kernel, AT&T syntax.
# corpus: file bits=64 text=0x400000 data=0x600000
	.set CTX_RAX, 0x00
	.set CTX_RBX, 0x08
	.set CTX_RCX, 0x10
	.set CTX_RDX, 0x18
	.set CTX_RSI, 0x20
	.set CTX_RDI, 0x28
	.set CTX_RBP, 0x30
	.set CTX_RSP, 0x38
	.equ CTX_R8, 0x40
	.equ CTX_R9, CTX_R8 + 8
	.equ CTX_R10, CTX_R9 + 8
	.equ CTX_R11, CTX_R10 + 8
	CTX_R12 = CTX_R11 + 8
	CTX_R13 = CTX_R12 + 8
	CTX_R14 = CTX_R13 + 8
	CTX_R15 = CTX_R14 + 8
	.set CTX_RIP, 0x80
	.set CTX_RFLAGS, 0x88
	.set CTX_CS, 0x90
	.set CTX_SS, 0x98
	.set CTX_SIZE, 0xa0
	.set KERNEL_CS, 0x08
	.set KERNEL_DS, 0x10
	.set USER_CS, 0x2b
	.set USER_DS, 0x23

	.text
	.globl save_context
save_context:
	movq %rax, CTX_RAX(%rdi)
	movq %rbx, CTX_RBX(%rdi)
	movq %rcx, CTX_RCX(%rdi)
	movq %rdx, CTX_RDX(%rdi)
	movq %rsi, CTX_RSI(%rdi)
	movq %rbp, CTX_RBP(%rdi)
	movq %r8, CTX_R8(%rdi)
	movq %r9, CTX_R9(%rdi)
	movq %r10, CTX_R10(%rdi)
	movq %r11, CTX_R11(%rdi)
	movq %r12, CTX_R12(%rdi)
	movq %r13, CTX_R13(%rdi)
	movq %r14, CTX_R14(%rdi)
	movq %r15, CTX_R15(%rdi)
	leaq 8(%rsp), %rax
	movq %rax, CTX_RSP(%rdi)
	movq (%rsp), %rax
	movq %rax, CTX_RIP(%rdi)
	pushfq
	popq CTX_RFLAGS(%rdi)
	movw %cs, %ax
	movzwl %ax, %eax
	movq %rax, CTX_CS(%rdi)
	movq $KERNEL_DS, CTX_SS(%rdi)
	xorl %eax, %eax
	ret

	.globl restore_context
	.p2align 4
restore_context:
	movq CTX_RBX(%rdi), %rbx
	movq CTX_RCX(%rdi), %rcx
	movq CTX_RDX(%rdi), %rdx
	movq CTX_RSI(%rdi), %rsi
	movq CTX_RBP(%rdi), %rbp
	movq CTX_R8(%rdi), %r8
	movq CTX_R9(%rdi), %r9
	movq CTX_R10(%rdi), %r10
	movq CTX_R11(%rdi), %r11
	movq CTX_R12(%rdi), %r12
	movq CTX_R13(%rdi), %r13
	movq CTX_R14(%rdi), %r14
	movq CTX_R15(%rdi), %r15
	pushq CTX_SS(%rdi)
	pushq CTX_RSP(%rdi)
	pushq CTX_RFLAGS(%rdi)
	pushq CTX_CS(%rdi)
	pushq CTX_RIP(%rdi)
	movq CTX_RAX(%rdi), %rax
	movq CTX_RDI(%rdi), %rdi
	iretq

# switch_to(prev=%rdi, next=%rsi): callee-saved registers on the stack, then swap stacks.
	.globl switch_to
	.balign 16
switch_to:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, (%rdi)
	movq (%rsi), %rsp
	movq 8(%rsi), %rax
	testq %rax, %rax
	jz 1f
	movq %rax, %cr3
1:	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret

# The first switch into a thread that never ran returns here.
	.globl first_schedule
first_schedule:
	movq %r12, %rdi
	callq *%rbx
	movl $60, %eax
	syscall
	ud2

enter_user:
	cli
	movq $USER_DS, %rax
	movw %ax, %ds
	movw %ax, %es
	swapgs
	pushq $USER_DS
	pushq %rsi
	pushq $0x202
	pushq $USER_CS
	pushq %rdi
	iretq

spin:
	pause
	cmpl $0, lock_word(%rip)
	jne spin
	lock btsl $0, lock_word(%rip)
	jc spin
	movq $lock_word, %rax
	leaq lock_word(%rip), %rcx
	movabsq $lock_word, %rdx
	call restore_context
	jmp save_context
	.p2align 3
	.quad save_context, restore_context, 0
	.long spin - save_context
	.word 0x1234, -1
	.byte 1, 2, 3, 'A, '\n

	.data
lock_word:
	.long 0
gdt:
	.quad 0
	.quad 0x00af9a000000ffff
	.quad 0x00cf92000000ffff
gdt_end:
gdtr:
	.word gdt_end - gdt - 1
	.quad gdt
message:
	.asciz "switchyard\tkernel\n"
	.ascii "ab", "cd"
	.string "x\101\x42"
	.balign 8
	.fill 3, 2, 0xabcd
	.skip 5, 0x90
	.zero 3

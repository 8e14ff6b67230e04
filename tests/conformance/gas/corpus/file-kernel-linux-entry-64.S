# Interrupt entry in the style of a Linux x86-64 entry file: cpp headers, idtentry-like macros with
# :req and defaults, .irp register lists, a .struct frame and CONFIG conditionals.
# corpus: file bits=64 text=0x0 data=0x2000
#include "include/linkage.h"
#include "include/ptregs.h"

#define CONFIG_X86_64 1
#ifdef CONFIG_X86_64
# define WORD_SIZE 8
#else
# define WORD_SIZE 4
#endif
#if defined(CONFIG_X86_64) && WORD_SIZE == 8 && !defined(CONFIG_DEBUG_ENTRY)
#define PUSH_ORDER rdi, rsi, rdx, rcx, rax, r8, r9, r10, r11, rbx, rbp, r12, r13, r14, r15
#elif WORD_SIZE == 4
#error "32-bit entry lives elsewhere"
#endif

	.struct 0
frame_r15:	.skip 8
frame_r14:	.skip 8
frame_rest:	.skip 13*8
frame_orig:	.skip 8
frame_end:
	.text

.macro PUSH_REGS
	.irp reg, PUSH_ORDER
	pushq %\reg
	.endr
.endm

.macro POP_REGS pop_rdi=1
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbp
	popq %rbx
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rax
	popq %rcx
	popq %rdx
	popq %rsi
	.if \pop_rdi
	popq %rdi
	.else
	addq $8, %rsp
	.endif
.endm

.macro idtentry vector:req, sym:req, has_error_code=0, ist=0
SYM_FUNC_START(\sym)
	.if \has_error_code == 0
	pushq $-1
	.endif
	PUSH_REGS
	movq %rsp, %rdi
	movq ORIG_RAX(%rsp), %rsi
	movq $-1, ORIG_RAX(%rsp)
	.ifne \ist
	subq $4096, %gs:0x10 + (\ist * 8)
	.endif
	call do_\sym
	POP_REGS
	addq $8, %rsp
	iretq
END(\sym)
.endm

	idtentry 0, divide_error
	idtentry 3, int3, ist=2
	idtentry 13, general_protection, has_error_code=1
	idtentry 14, page_fault, 1

ENTRY(do_divide_error)
do_int3:
do_general_protection:
do_page_fault:
	movq RIP(%rdi), %rax
	movw $__KERNEL_DS, %ax
	ljmp *frame_end(%rdi)
	ret

ENTRY(entry_SYSCALL_64)
	swapgs
	movq %rsp, %gs:0x6014
	movq %gs:0x6000, %rsp
	pushq $__KERNEL_DS
	pushq %gs:0x6014
	pushq %r11
	pushq $__KERNEL_CS
	pushq %rcx
	pushq %rax
	PUSH_REGS
	movq %rsp, %rdi
	movslq %eax, %rsi
	POP_REGS pop_rdi=0
	sysretq
END(entry_SYSCALL_64)

	.data
banner:	.asciz STR(entry WORD_SIZE)
	.long GLUE(0x, 10), GLUE(__KERNEL_, CS)
	.quad divide_error, int3, general_protection, page_fault, frame_end, FRAME_SIZE

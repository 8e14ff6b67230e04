/*
 * Exception vectors in the style of a BSD amd64 exception.S: IDTVEC-like cpp macros with token
 * pasting, TRAP/TRAP_NOEN variants, .irpc-generated register saves, and #if on options.
 */
# corpus: file bits=64 text=0x0 data=0x3000
#include "include/linkage.h"

#define __CONCAT(x, y) x ## y
#define IDTVEC(name) ALIGN; .globl __CONCAT(X, name); .type __CONCAT(X, name), @function; __CONCAT(X, name):
#define TF_RDI 0
#define TF_TRAPNO 120
#define TF_ERR 128
#define T_DIVIDE 18
#define T_BPTFLT 3
#define T_PAGEFLT 12
#define TRAP(a) pushq $(a); jmp alltraps
#define TRAP_NOEN(a) subq $TF_ERR, %rsp; movq $(a), TF_TRAPNO(%rsp); jmp alltraps_noen
#define KDTRACE_HOOKS 0

	.text
IDTVEC(div)
	pushq $0
	TRAP(T_DIVIDE)
IDTVEC(bpt)
	pushq $0
	TRAP_NOEN(T_BPTFLT)
IDTVEC(page)
	TRAP(T_PAGEFLT)

alltraps:
	subq $TF_TRAPNO, %rsp
alltraps_noen:
	.irpc n, 89
	movq %r\n, 8*\n(%rsp)
	.endr
	movq %rdi, TF_RDI(%rsp)
#if KDTRACE_HOOKS
	call dtrace_trap
#else
	testb $3, TF_TRAPNO+8(%rsp)
	jz 1f
	swapgs
1:
#endif
	movq %rsp, %rdi
	call trap
	jmp doreti
trap:
doreti:
	.ifeqs "amd64", "amd64"
	addq $TF_ERR+8, %rsp
	.endif
	.ifnes "amd64", "i386"
	iretq
	.endif
	.data
	.quad Xdiv, Xbpt, Xpage

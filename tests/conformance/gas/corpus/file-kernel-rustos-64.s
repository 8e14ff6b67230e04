# A Rust hobby kernel's global_asm!-style boot and trap code: Intel syntax, a multiboot2 header,
# a .struct for the trap frame, .irp register saves, .ifc/.ifnc on macro arguments, varargs.
# corpus: file bits=64 text=0x100000 data=0x200000
	.intel_syntax noprefix
	.section .text
	.struct 0
TF_RAX:	.quad 0
TF_RBX:	.quad 0
TF_RCX:	.quad 0
TF_RDX:	.quad 0
TF_VEC:	.quad 0
TF_ERR:	.quad 0
TF_SIZE:
	.text
header_start:
	.long 0xe85250d6
	.long 0
	.long header_end - header_start
	.long 0x100000000 - (0xe85250d6 + 0 + (header_end - header_start))
	.word 0, 0
	.long 8
header_end:

.macro save_all
.irp r, rax, rbx, rcx, rdx
	push \r
.endr
.endm
.macro restore_all
.irp r, rdx, rcx, rbx, rax
	pop \r
.endr
.endm
.macro trap_entry name, vec, kind=noerr
	.globl \name
\name:
.ifc \kind,noerr
	push 0
.endif
.ifnc \kind,err
	nop
.endif
	push \vec
	save_all
	mov rdi, rsp
	mov rax, [rsp + TF_VEC]
	call trap_dispatch
	restore_all
	add rsp, 16
	iretq
.endm
.macro emit_quads label:req, values:vararg
\label: .quad \values
.endm

	trap_entry divide_by_zero, 0
	trap_entry breakpoint, 3
	trap_entry double_fault, 8, err
	trap_entry page_fault, 14, err
trap_dispatch:
	cmp rax, 14
	je 1f
	hlt
1:	mov rax, cr2
	ret
	.data
	emit_quads handlers, divide_by_zero, breakpoint, double_fault, page_fault
	.eqv frame_words, TF_SIZE / 8
	.byte frame_words

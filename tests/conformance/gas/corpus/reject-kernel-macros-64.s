# Mistakes in macro-heavy kernel code that GNU as rejects: every line it reports, and only those,
# must be reported here too (errors inside a macro body are reported at the body line).
# corpus: reject bits=64
.macro SAVE reg:req
	pushq %\reg
	movq %\reg, 8(%rspp)
.endm
	SAVE rax
	SAVE rbx
.macro STUB n
	.byte \n
	.fooz \n
.endm
	.rept 4
	STUB 1
	.endr
	.irp r, rax, rbx
	popq %\r, %\r
	.endr
	.ifc a, a
	movq $1
	.endif
	.equiv seen, 1
	.equiv seen, 2
	.err
	.error "stop here"
	.purgem STUB
	STUB 3

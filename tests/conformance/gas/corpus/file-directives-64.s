# Directives, macros, conditionals and expressions as GNU as reads them.
# corpus: file bits=64 text=0x0 data=0x2000
	.text
	.macro save_regs regs:vararg
	.irp r, \regs
	pushq %\r
	.endr
	.endm
	.macro restore_regs first, rest:vararg
	.ifnb \rest
	restore_regs \rest
	.endif
	popq %\first
	.endm
	.macro field name, size=8
	.equ \name, offset
	.set offset, offset + \size
	.endm
	.macro count_to n
	.if \n
	count_to "(\n - 1)"
	.byte \n
	.endif
	.endm
	.macro unique
	jmp 1f
	nop
1:	.byte \@
	.endm
	.macro early_exit x
	.byte 0xe0
	.if \x == 2
	.exitm
	.endif
	.byte \x
	.endm

	.set offset, 0
	field F_A
	field F_B, 4
	field F_C, 2
	field F_D

entry:
	save_regs rax, rbx, r12
	movq F_B(%rdi), %rax
	movl F_C(%rdi), %ecx
	movq %rax, F_D(%rdi)
	restore_regs rax, rbx, r12
	count_to 4
	unique
	unique
	early_exit 1
	early_exit 2
	.byte F_A, F_B, F_C, F_D, offset
	.byte (1 << 4) | 3, 0x80 >> 4, 7 % 3, -3 / 2, ~0 & 0xff
	.byte 1 < 2, 2 <= 1, 3 > 2, 3 >= 4, 1 == 1, 1 != 1, 1 <> 2, 1 && 0, 0 || 3
	.byte 'A', '\n, 'z' - 'a'
	.word 0x7fff, -32768, 0xffff
	.long 1000000, -1, entry
	.quad 0x123456789abcdef0, -0x8000000000000000
	.ifdef F_A
	.byte 0x11
	.else
	.byte 0x22
	.endif
	.ifndef NOT_DEFINED
	.byte 0x33
	.endif
	.ifeq F_A
	.byte 0x44
	.endif
	.ifne F_B - 8
	.byte 0x55
	.endif
	.ifgt F_D - F_C
	.byte 0x66
	.endif
	.iflt -1
	.byte 0x77
	.endif
	.ifc abc, abc
	.byte 0x88
	.endif
	.ifnc abc, abd
	.byte 0x99
	.endif
	.if 0
	.byte 0
	.elseif 0
	.byte 1
	.elseif F_B == 8
	.byte 0xaa
	.else
	.byte 3
	.endif
	.rept 3
	.rept 2
	.byte 0xbb
	.endr
	.endr
	.irpc c, 135
	.byte \c * 2
	.endr
	.irp x
	.byte 0xcc
	.endr
here:
	.long here - entry, . - entry
	.quad here
	.p2align 2, 0xee
	.balign 8, 0xdd, 3
	.balign 16, 0xdd, 15
	.space 3, 7
	.skip 2
	.zero 2
	.fill 2, 4, 0x01020304
	.fill 3
	.fill 2, 3, -1
	.ascii "tab\there", "quote\"s"
	.asciz "nul"
	.string "oct\101\102 hex\x43"
	.byte 'a, 'b
	nop; nop ; nop
	/* a comment */ nop
	# a comment
	nop # trailing
	.section .data
	.p2align 3
table:
	.quad entry, here, table
	.text
	ret
	.data
	.long 42
	.previous
	ret
	.pushsection .data
	.byte 9
	.popsection
	ret

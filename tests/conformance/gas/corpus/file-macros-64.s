# Macro argument passing, defaults, \@ counters, \() and varargs as GNU as expands them.
# corpus: file bits=64 text=0x0 data=0x1000
.macro push r
	pushq %\r
	pushq %\r
.endm
	push rax
.macro m a, b=2, c
	.byte \a, \b
	.ifnb \c
	.byte \c
	.endif
.endm
	m 1
	m 1, 3, 4
	m a=5, c=6
	m 7,,8
.macro lbl n
n\n\():
	.byte \n
.endm
	lbl 3
	.long n3
.macro cnt
	.byte \@
.endm
	cnt
	.rept 2
	cnt
	.endr
	.irp x, 1, 2
	cnt
	.endr
.macro outer
	inner
	.byte \@
.endm
.macro inner
	.byte \@
.endm
	outer
	outer
.macro str s
	.ascii "\s"
.endm
	str hello
	str "with space"
.macro va first, rest:vararg
	.byte \first
	.ifnb \rest
	va \rest
	.endif
.endm
	va 9, 8, 7

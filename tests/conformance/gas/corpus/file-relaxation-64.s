# Branch relaxation: short and near jumps chosen as GNU as does, with forward references.
# corpus: file bits=64 text=0x0 data=0x10000
	.text
top:
	jmp far_away
	je near_enough
	jne top
	.fill 100, 1, 0x90
near_enough:
	jmp 1f
	.fill 126, 1, 0x90
1:	jmp 2f
	.fill 127, 1, 0x90
2:	jz 3f
	.fill 128, 1, 0x90
3:	loop 3b
	jrcxz 4f
4:	call far_away
	.fill 60, 1, 0xcc
	jmp top
	jmp .
	jmp .+2
	.p2align 5
	.rept 40
	jg top
	.endr
far_away:
	ret
	.org far_away + 0x40, 0xcc
	nop
	.align 16
	ret
	.p2align 4,,7
	ret
	.balign 8, 0x00
	.code32
	jmp 5f
	.fill 130, 1, 0x90
5:	ret
	.p2align 4
	.code64
	int3

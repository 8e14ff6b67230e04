# i386 interrupt and task code, Intel syntax.
# corpus: file bits=32 text=0x7c00 data=0x9000
	.intel_syntax noprefix
	.code32
	.set KDATA, 0x10
	.text
entry:
	cli
	lgdt [gdt_desc]
	lidt [idt_desc]
	mov eax, cr0
	or eax, 1
	mov cr0, eax
	jmp 0x08:flush
flush:
	mov ax, KDATA
	mov ds, ax
	mov ss, ax
	mov esp, 0x90000
	sti
	pushad
	pushfd
	popfd
	popad
	push dword ptr [esp + 4]
	pop dword ptr [esp + 8]
	mov dword ptr [esp], 0x12345678
	mov byte ptr [eax + ebx*2 + 1], 7
	mov word ptr [esi], ax
	les eax, fword ptr [ebx]
	lds ecx, [ebx + 6]
	lss esp, [tss_stack]
	arpl word ptr [eax], dx
	in al, 0x60
	out 0x20, al
	in eax, dx
	out dx, ax
	insb
	outsd
	rep stosd
	repne scasb
	cwde
	cdq
	cbw
	int 0x80
	int 3
	into
	iretd
	iret
	ret 4
	retf
	enter 8, 0
	leave
	jmp [eax]
	call dword ptr [ebx + 4]
	jmp fword ptr [ebx]
	call eax
	.data
gdt_desc:
	.word 23
	.long 0
idt_desc:
	.word 0x7ff
	.long 0
tss_stack:
	.long 0x80000
	.word KDATA

# A real-mode boot sector that enters protected mode, then long mode.
# corpus: file bits=16 text=0x7c00 data=0x9000
	.code16
	.text
	.globl _start
_start:
	cli
	xorw %ax, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movw $0x7c00, %sp
	ljmp $0, $1f
1:	movb %dl, boot_drive
	movw $msg, %si
	call print
	inb $0x92, %al
	orb $2, %al
	outb %al, $0x92
	lgdtl gdt_ptr
	movl %cr0, %eax
	orl $1, %eax
	movl %eax, %cr0
	ljmp $0x08, $pm_entry

print:
	lodsb
	testb %al, %al
	jz 2f
	movb $0x0e, %ah
	int $0x10
	jmp print
2:	ret

	.code32
pm_entry:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %ss
	movl $0x90000, %esp
	movl %cr4, %eax
	orl $0x20, %eax
	movl %eax, %cr4
	movl $0x1000, %eax
	movl %eax, %cr3
	movl $0xc0000080, %ecx
	rdmsr
	orl $0x100, %eax
	wrmsr
	movl %cr0, %eax
	orl $0x80000000, %eax
	movl %eax, %cr0
	ljmp $0x18, $lm_entry

	.code64
lm_entry:
	movq $0x200000, %rsp
	xorl %eax, %eax
	hlt
	jmp lm_entry

	.code16
boot_drive:
	.byte 0
msg:
	.asciz "Booting switchyard\r\n"
	.p2align 3
gdt:
	.quad 0
	.quad 0x00cf9a000000ffff
	.quad 0x00cf92000000ffff
	.quad 0x00af9a000000ffff
gdt_end:
gdt_ptr:
	.word gdt_end - gdt - 1
	.long gdt
	.org 510
	.word 0xaa55

# A hypervisor switcher's interrupt stubs in the style of lguest's: .altmacro with a counter that
# names each stub, LOCAL labels, <...> quoting and %expr arguments; then the host/guest switch.
# corpus: file bits=32 text=0x0 data=0x4000
	.code32
	.altmacro

	.struct 0
LGUEST_PAGES_host_sp:	.long 0
LGUEST_PAGES_host_cr3:	.long 0
LGUEST_PAGES_guest_gdt:	.skip 6
LGUEST_PAGES_guest_idt:	.skip 6
	.balign 4
LGUEST_PAGES_regs:	.skip 17*4
LGUEST_PAGES_size:
	.text

.macro IRQ_STUB N TARGET
	.data; .long 1f; .text; 1:
 .if (N == 8) || (N >= 10 && N <= 14) || (N == 17)
	pushl	$\N
 .else
	pushl	$0
	pushl	$\N
 .endif
	jmp	TARGET
	.balign 4
.endm

.macro IRQ_STUBS FIRST LAST TARGET
 irq=FIRST
 .rept LAST-FIRST+1
	IRQ_STUB %irq, TARGET
  irq=irq+1
 .endr
.endm

.macro SAVE_MSG text
 LOCAL str, done
	jmp done
str:	.ascii text
done:	nop
.endm

	.data
default_idt_entries:
	.text
	IRQ_STUBS 0 1 return_to_host
	IRQ_STUBS 2 31 deliver_to_host
	IRQ_STUBS 32 127 deliver_to_host
	IRQ_STUBS 128 128 return_to_host
	IRQ_STUBS 129 255 deliver_to_host
	SAVE_MSG <"guest!>">
	SAVE_MSG "host"

switch_to_guest:
	pushl	%ss
	pushl	%es
	pushl	%ds
	pushl	%gs
	pushl	%fs
	pushl	%ebp
	movl	%esp, LGUEST_PAGES_host_sp(%eax)
	movl	%eax, %edx
	addl	$LGUEST_PAGES_regs, %edx
	movl	%edx, %esp
	lgdt	LGUEST_PAGES_guest_gdt(%eax)
	lidt	LGUEST_PAGES_guest_idt(%eax)
	movl	LGUEST_PAGES_host_cr3(%eax), %edx
	movl	%edx, %cr3
	popl	%eax
	popl	%ebx
	popl	%ecx
	popl	%edx
	popl	%esi
	popl	%edi
	popl	%ebp
	popl	%gs
	popl	%fs
	popl	%ds
	popl	%es
	addl	$8, %esp
	iret

return_to_host:
	.irpc r, abcd
	pushl	%e\r\()x
	.endr
	movl	$(LGUEST_PAGES_size & ~4095), %eax
	movl	LGUEST_PAGES_host_sp(%eax), %esp
	popl	%ebp
	popl	%fs
	popl	%gs
	popl	%ds
	popl	%es
	popl	%ss
	ret
deliver_to_host:
	call	return_to_host
	ljmp	*LGUEST_PAGES_host_cr3(%eax)

# Kernel entry and exit paths, Intel syntax.
# corpus: file bits=64 text=0x1000 data=0x8000
	.intel_syntax noprefix
	.set TSS_RSP0, 4
	.set PERCPU_KSTACK, 0x10
	.set PERCPU_USTACK, 0x18
	.equ USER_CS, 0x33
	.equ USER_SS, 0x2b

	.text
	.globl syscall_entry
syscall_entry:
	swapgs
	mov qword ptr gs:[PERCPU_USTACK], rsp
	mov rsp, qword ptr gs:[PERCPU_KSTACK]
	push USER_SS
	push qword ptr gs:[PERCPU_USTACK]
	push r11
	push USER_CS
	push rcx
	push rax
	push rdi
	push rsi
	push rdx
	push r10
	push r8
	push r9
	mov rcx, r10
	cmp rax, 16
	jae bad_syscall
	lea r11, [rip + syscall_table]
	call qword ptr [r11 + rax*8]
	jmp syscall_exit
bad_syscall:
	mov rax, -38
syscall_exit:
	pop r9
	pop r8
	pop r10
	pop rdx
	pop rsi
	pop rdi
	add rsp, 8
	pop rcx
	add rsp, 8
	pop r11
	pop rsp
	swapgs
	sysretq

	.globl load_tss
load_tss:
	mov ax, 0x28
	ltr ax
	lgdt [rdi]
	lidt [rsi]
	mov ax, 0x10
	mov ds, ax
	mov es, ax
	mov ss, ax
	push 0x08
	lea rax, [rip + 1f]
	push rax
	retfq
1:	ret

	.globl set_rsp0
set_rsp0:
	mov qword ptr [rdi + TSS_RSP0], rsi
	mov rax, cr3
	mov cr3, rax
	invlpg [rdx]
	mov ecx, 0xc0000102
	mov eax, esi
	shr rsi, 32
	mov edx, esi
	wrmsr
	rdmsr
	shl rdx, 32
	or rax, rdx
	ret

copy:
	mov rcx, rdx
	shr rcx, 3
	rep movsq
	mov rcx, rdx
	and ecx, 7
	rep movsb
	xor eax, eax
	test rdx, rdx
	setnz al
	movzx eax, al
	movsx rdx, byte ptr [rsi - 1]
	movsxd rcx, dword ptr [rsi + 4]
	cmovz rax, rcx
	imul rax, rcx, 24
	imul eax, [rdi], 3
	lock xadd qword ptr [rdi], rax
	lock cmpxchg qword ptr [rdi + 8], rcx
	xchg rax, rcx
	bt dword ptr [rdi], 5
	bts rax, 63
	bsr rcx, rax
	popcnt rdx, qword ptr [rdi]
	ret

	.data
	.p2align 3
syscall_table:
	.quad bad_syscall, copy, set_rsp0, load_tss
	.rept 12
	.quad bad_syscall
	.endr

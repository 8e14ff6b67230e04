/** What the editor holds before an exercise is opened: a short example in the lab's dialect. */
export const SCRATCH_SOURCE = `# Scratch pad. Open an exercise to start; this buffer is not graded.
# Example: store three callee-saved registers into the struct at %rdi.
	.text
	.globl	save_some
save_some:
	movq	%rbx, 0x00(%rdi)	# ctx->rbx
	movq	%rbp, 0x08(%rdi)	# ctx->rbp
	movq	%r12, 0x10(%rdi)	# ctx->r12
	ret
`;

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

/** The same example in Intel syntax, for learners who chose it in the settings. */
export const SCRATCH_SOURCE_INTEL = `# Scratch pad. Open an exercise to start; this buffer is not graded.
# Example: store three callee-saved registers into the struct at rdi.
	.intel_syntax noprefix
	.text
	.globl	save_some
save_some:
	mov	[rdi + 0x00], rbx	# ctx->rbx
	mov	[rdi + 0x08], rbp	# ctx->rbp
	mov	[rdi + 0x10], r12	# ctx->r12
	ret
`;

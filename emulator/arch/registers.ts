/** The general registers in encoding order (ModRM/REX register numbers 0..15). */
export const GPR_NAMES = ['rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15'] as const;

/** RIP-relative addressing names this pseudo-register as its base (one past the last GPR). */
/** The stack pointer's index among the general registers. */
export const RSP = 4;
export const BASE_RIP = 16;

/** 2^32: values are held as two 32-bit halves, and this joins or splits them without BigInt. */
export const TWO32 = 4294967296;

/** The order people list them in (the accumulator family, then the index and pointer registers, then r8..r15). */
export const GPR_DISPLAY_ORDER = ['rax', 'rbx', 'rcx', 'rdx', 'rsi', 'rdi', 'rbp', 'rsp', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15'] as const;

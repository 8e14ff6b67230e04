/** What address generation reads from a decoded memory operand; the decoder's MemRef is one. */
export interface MemoryOperand {
  /** GPR index, BASE_RIP, or -1. */
  readonly base: number;
  readonly index: number;
  readonly scale: number;
  /** Signed displacement, whole and split into an unsigned low half and a signed high half. */
  readonly disp: number;
  readonly dispLo: number;
  readonly dispHi: number;
  /** Segment register the access goes through. */
  readonly seg: number;
  /** Address size in bits: 16, 32 or 64. */
  readonly addrBits: number;
  /** 64-bit [base + disp] through a segment without a base: eligible for the address fast path. */
  readonly simple: boolean;
}

/**
 * The MSRs a CPU keeps, by number, as unsigned 64-bit values. SYSCALL and SYSRET read STAR, LSTAR
 * and FMASK on every transition: those are also held as numbers, converted when the MSR is written.
 */
const STAR = 0xc0000081;
const LSTAR = 0xc0000082;
const SFMASK = 0xc0000084;

export class MsrFile extends Map<number, bigint> {
  /** STAR[47:32]: the selector SYSCALL derives CS and SS from. */
  syscallCs = 0;
  /** STAR[63:48]: the selector SYSRET derives CS and SS from. */
  sysretCs = 0;
  /** LSTAR as a sign-extended number (how the CPU holds RIP). */
  lstar = 0;
  /** The RFLAGS bits SYSCALL clears (FMASK[31:0]; RFLAGS has no higher bits). */
  sfmask = 0;

  override set(n: number, value: bigint): this {
    super.set(n, value);
    this.derive(n, value);
    return this;
  }

  override delete(n: number): boolean {
    const had = super.delete(n);
    this.derive(n, 0n);
    return had;
  }

  override clear(): void {
    super.clear();
    for (const n of [STAR, LSTAR, SFMASK]) this.derive(n, 0n);
  }

  private derive(n: number, value: bigint): void {
    if (n === STAR) {
      this.syscallCs = Number((value >> 32n) & 0xffffn);
      this.sysretCs = Number((value >> 48n) & 0xffffn);
    } else if (n === LSTAR) this.lstar = Number(BigInt.asIntN(64, value));
    else if (n === SFMASK) this.sfmask = Number(value & 0xffffffffn);
  }
}

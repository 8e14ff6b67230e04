/** Standard flat descriptor tables used by scenarios and exercises. */
import { code32, code64, data, descriptorBytes, tss32Descriptor, tss64Descriptor } from './descriptors.ts';
import { concatBytes, type Int } from './bytes.ts';

/**
 * Long mode selectors laid out for SYSCALL/SYSRET (SDM Vol. 2B SYSCALL/SYSRET):
 * STAR[47:32] = 0x08 gives CS 0x08 / SS 0x10; STAR[63:48] = 0x18 gives SYSRET CS 0x2b (64-bit,
 * +16) / 0x1b (32-bit) and SS 0x23.
 */
export const LONG_SEL = { kernelCode: 0x08, kernelData: 0x10, userCode32: 0x1b, userData: 0x23, userCode64: 0x2b, tss: 0x30 } as const;
export const PROT_SEL = { kernelCode: 0x08, kernelData: 0x10, userCode: 0x1b, userData: 0x23, tss: 0x28 } as const;

/** STAR value for the long mode GDT: SYSCALL CS 0x08, SYSRET base 0x18 (RPL forced to 3). */
export const LONG_STAR = (0x18n << 48n) | (0x08n << 32n);

/** Entries 0..7: null, code64 DPL0, data DPL0, code32 DPL3, data DPL3, code64 DPL3, TSS (16 bytes). */
export function longModeGdt(tssBase: Int, extra: (bigint | [bigint, bigint])[] = []): Uint8Array {
  return concatBytes(
    ...[0n, code64(0), data(0), code32(3), data(3), code64(3), tss64Descriptor(tssBase), ...extra].map(descriptorBytes),
  );
}

/** Entries 0..5: null, code32 DPL0, data DPL0, code32 DPL3, data DPL3, TSS. */
export function protectedModeGdt(tssBase: Int, extra: (bigint | [bigint, bigint])[] = []): Uint8Array {
  return concatBytes(...[0n, code32(0), data(0), code32(3), data(3), tss32Descriptor(tssBase), ...extra].map(descriptorBytes));
}


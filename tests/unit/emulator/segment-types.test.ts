// The type-field predicates the segment loads share, on the descriptor types of SDM Vol. 3A, Table 3-1.
import { describe, expect, it } from 'vitest';
import { SEG_ACCESSED, SEG_CODE, SEG_CONFORMING, SEG_EXPAND_DOWN, SEG_RW, SEG_S, SYS_LDT, SYS_TSS_AVAILABLE } from '../../../emulator/arch/segments.ts';
import { isWritableData } from '../../../emulator/ops/segments.ts';

describe('isWritableData (what SS must be)', () => {
  it.each([
    ['read/write data', SEG_S | SEG_RW, true],
    ['read/write data, accessed', SEG_S | SEG_RW | SEG_ACCESSED, true],
    ['read/write data, expand-down', SEG_S | SEG_RW | SEG_EXPAND_DOWN, true],
    ['read-only data', SEG_S, false],
    ['read-only data, accessed', SEG_S | SEG_ACCESSED, false],
    ['execute/read code', SEG_S | SEG_CODE | SEG_RW, false],
    ['conforming execute/read code', SEG_S | SEG_CODE | SEG_CONFORMING | SEG_RW, false],
    ['an LDT descriptor', SYS_LDT, false],
    ['an available TSS', SYS_TSS_AVAILABLE, false],
  ])('%s: %s', (_what, attrs, writable) => {
    expect(isWritableData(attrs)).toBe(writable);
  });
});

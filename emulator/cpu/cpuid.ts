/**
 * The one fixed CPUID model this CPU reports (documented in docs/emulator.md). It claims only
 * what the emulator implements. Leaves it does not list return all zeros.
 */
const text = (s: string): number[] => {
  const bytes = Array.from(s, (ch) => ch.charCodeAt(0) & 0xff);
  const words: number[] = [];
  for (let k = 0; k < bytes.length; k += 4) words.push((bytes[k] | (bytes[k + 1] << 8) | (bytes[k + 2] << 16) | (bytes[k + 3] << 24)) >>> 0);
  return words;
};

const [VENDOR_B, VENDOR_D, VENDOR_C] = text('GenuineIntel');
const BRAND = text('Switchyard x86-64 teaching CPU'.padEnd(47, ' ') + '\0');

import { xsaveSize, XCR0_SUPPORTED } from './fpu.ts';

const CPUID_FEATURES = {
  /** Leaf 1 EDX: FPU(0) TSC(4) MSR(5) PAE(6) CX8(8) SEP(11) CMOV(15) FXSR(24) SSE(25) SSE2(26). */
  leaf1Edx: (1 << 0) | (1 << 4) | (1 << 5) | (1 << 6) | (1 << 8) | (1 << 11) | (1 << 15) | (1 << 24) | (1 << 25) | (1 << 26),
  /** Leaf 1 ECX: CX16(13) MOVBE(22) POPCNT(23) XSAVE(26) AVX(28); OSXSAVE(27) mirrors CR4.OSXSAVE. */
  leaf1Ecx: (1 << 13) | (1 << 22) | (1 << 23) | (1 << 26) | (1 << 28),
  /** Leaf 0x80000001 EDX: SYSCALL/SYSRET(11) NX(20) RDTSCP(27) LM(29). */
  ext1Edx: (1 << 11) | (1 << 20) | (1 << 27) | (1 << 29),
  /** Leaf 7 subleaf 0 EBX: FSGSBASE(0) FDP_EXCPTN_ONLY(6) SMEP(7) FCS/FDS deprecated(13) SMAP(20, with STAC/CLAC). */
  leaf7Ebx: (1 << 0) | (1 << 6) | (1 << 7) | (1 << 13) | (1 << 20),
  /** Leaf 0DH subleaf 1 EAX: XSAVEOPT(0) XSAVEC(1) XGETBV with ECX = 1(2); no XSAVES. */
  leafDh1Eax: (1 << 0) | (1 << 1) | (1 << 2),
  /** Leaf 7 subleaf 0 ECX: UMIP(2). */
  leaf7Ecx: 1 << 2,
  /** Leaf 0x80000001 ECX: LAHF/SAHF in 64-bit mode(0) LZCNT(5). */
  ext1Ecx: (1 << 0) | (1 << 5),
};

/** The control state some leaves reflect: CR4.OSXSAVE (leaf 1 ECX[27]) and XCR0 (leaf 0DH EBX). */
export interface CpuidContext {
  cr4: number;
  xcr0: number;
}

const RESET_CONTEXT: CpuidContext = { cr4: 0, xcr0: 1 };

/** Returns [EAX, EBX, ECX, EDX] for leaf `eax`, subleaf `ecx`. */
export function cpuid(leaf: number, subleaf: number, context: CpuidContext = RESET_CONTEXT): [number, number, number, number] {
  switch (leaf) {
    case 0:
      return [0xd, VENDOR_B, VENDOR_C, VENDOR_D];
    case 1:
      // Family 6, model 0x3a, stepping 9; CLFLUSH line 8 qwords, one logical processor, APIC id 0.
      return [0x000306a9, 0x00010800, (CPUID_FEATURES.leaf1Ecx | (context.cr4 & (1 << 18) ? 1 << 27 : 0)) >>> 0, CPUID_FEATURES.leaf1Edx];
    case 0xd:
      // XSAVE: x87, SSE and AVX state; AVX (component 2) at offset 576, 256 bytes, not 64-byte aligned when compacted.
      if (subleaf === 0) return [XCR0_SUPPORTED, xsaveSize(context.xcr0), xsaveSize(XCR0_SUPPORTED), 0];
      if (subleaf === 1) return [CPUID_FEATURES.leafDh1Eax, xsaveSize(context.xcr0), 0, 0];
      if (subleaf === 2) return [256, 576, 0, 0];
      return [0, 0, 0, 0];
    case 7:
      return subleaf === 0 ? [0, CPUID_FEATURES.leaf7Ebx, CPUID_FEATURES.leaf7Ecx, 0] : [0, 0, 0, 0];
    case 0x80000000:
      return [0x80000008, 0, 0, 0];
    case 0x80000001:
      return [0, 0, CPUID_FEATURES.ext1Ecx, CPUID_FEATURES.ext1Edx];
    case 0x80000002:
    case 0x80000003:
    case 0x80000004: {
      const k = (leaf - 0x80000002) * 4;
      return [BRAND[k], BRAND[k + 1], BRAND[k + 2], BRAND[k + 3]];
    }
    case 0x80000008:
      // 40 physical and 48 linear address bits.
      return [0x3028, 0, 0, 0];
    default:
      return [0, 0, 0, 0];
  }
}

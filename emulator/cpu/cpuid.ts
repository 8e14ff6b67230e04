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

export const CPUID_FEATURES = {
  /** Leaf 1 EDX: TSC(4) MSR(5) PAE(6) CX8(8) SEP(11) CMOV(15). */
  leaf1Edx: (1 << 4) | (1 << 5) | (1 << 6) | (1 << 8) | (1 << 11) | (1 << 15),
  /** Leaf 1 ECX: CX16(13) MOVBE(22) POPCNT(23). */
  leaf1Ecx: (1 << 13) | (1 << 22) | (1 << 23),
  /** Leaf 0x80000001 EDX: SYSCALL/SYSRET(11) NX(20) RDTSCP(27) LM(29). */
  ext1Edx: (1 << 11) | (1 << 20) | (1 << 27) | (1 << 29),
  /** Leaf 7 subleaf 0 EBX: FSGSBASE(0) SMEP(7) SMAP(20, with STAC/CLAC). */
  leaf7Ebx: (1 << 0) | (1 << 7) | (1 << 20),
  /** Leaf 7 subleaf 0 ECX: UMIP(2). */
  leaf7Ecx: 1 << 2,
  /** Leaf 0x80000001 ECX: LAHF/SAHF in 64-bit mode(0) LZCNT(5). */
  ext1Ecx: (1 << 0) | (1 << 5),
};

/** Returns [EAX, EBX, ECX, EDX] for leaf `eax`, subleaf `ecx`. */
export function cpuid(leaf: number, subleaf: number): [number, number, number, number] {
  switch (leaf) {
    case 0:
      return [7, VENDOR_B, VENDOR_C, VENDOR_D];
    case 1:
      // Family 6, model 0x3a, stepping 9; CLFLUSH line 8 qwords, one logical processor, APIC id 0.
      return [0x000306a9, 0x00010800, CPUID_FEATURES.leaf1Ecx, CPUID_FEATURES.leaf1Edx];
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

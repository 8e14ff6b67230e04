/**
 * Deterministic generation of the host-CPU conformance cases: the same seed always gives the same
 * cases (each family draws from its own stream, so changing one family leaves the others alone).
 */
import type { NativeCase } from './types.ts';
import { CaseBuilder } from './gen/builder.ts';
import { FAMILIES, SIMD_FAMILIES, familyNamed } from './gen/families.ts';
import { Random } from './gen/random.ts';

export const DEFAULT_SEED = 'switchyard-native-1';
export const FAMILY_NAMES: readonly string[] = FAMILIES.map((f) => f.name);
export const SIMD_FAMILY_NAMES: readonly string[] = SIMD_FAMILIES.map((f) => f.name);

export interface GenerateOptions {
  seed?: string;
  /** Cases per family; families not named get their default count. */
  counts?: Partial<Record<string, number>>;
  /** Only these families. */
  families?: readonly string[];
}

const ATTEMPTS = 50;

export function generateFamily(name: string, seed: string, count: number): NativeCase[] {
  const family = familyNamed(name);
  const rng = new Random(`${seed}/${family.name}`);
  const cases: NativeCase[] = [];
  for (let i = 0; i < count; i++) {
    let lastError: unknown;
    let built: NativeCase | undefined;
    // Random operand choices are sometimes not encodable (AH next to a REX prefix): draw again.
    for (let attempt = 0; attempt < ATTEMPTS && !built; attempt++) {
      const b = new CaseBuilder(rng, family.dataLength);
      try {
        family.build(b, i);
        built = b.build(`${family.name}-${i}`, family.name);
      } catch (error) {
        lastError = error;
      }
    }
    if (!built) throw new Error(`${family.name} case ${i}: no encodable operands after ${ATTEMPTS} draws: ${String(lastError)}`);
    cases.push(built);
  }
  return cases;
}

export function generateCases(options: GenerateOptions = {}): NativeCase[] {
  const seed = options.seed ?? DEFAULT_SEED;
  const names = options.families ?? FAMILY_NAMES;
  return names.flatMap((name) => generateFamily(name, seed, options.counts?.[name] ?? familyNamed(name).count));
}

/** The x87/SSE/AVX/XSAVE cases, recorded in their own fixture. */
export function generateSimdCases(options: Omit<GenerateOptions, 'families'> = {}): NativeCase[] {
  return generateCases({ ...options, families: SIMD_FAMILY_NAMES });
}

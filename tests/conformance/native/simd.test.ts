/**
 * Differential conformance of the x87/SSE/AVX/XSAVE instructions against real silicon: the cases
 * carry XMM/YMM, MXCSR and x87 state, their outcomes (state, memory written, faults) are recorded
 * on the host CPU (tests/fixtures/native/simd-outcomes.txt.gz), re-checked live where gcc and the
 * needed CPU features exist, and compared with the emulator.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { differences, reportAgreement, tally, type Difference } from './compare.ts';
import { SIMD_FIXTURE_PATH, digestCases, readFixture, type Fixture } from './fixtures.ts';
import { SIMD_FAMILIES } from './gen/families.ts';
import { decodeForms } from './gen/iced.ts';
import { DEFAULT_SEED, generateFamily, generateSimdCases } from './generate.ts';
import { runOnEmulator } from './emulator-adapter.ts';
import { buildHarness, hostCpu, hostFlags, hostUnavailable, missingFeature, requirementsOf } from './host.ts';
import type { NativeCase, NativeOutcome } from './types.ts';

const RERECORD = 'npx tsx build/scripts/record-native-fixtures.ts --only simd';
const hostReason = hostUnavailable();
if (hostReason) console.warn(`native SIMD conformance: no live host run (${hostReason}); checking against the recorded fixtures alone`);

const bytesOf = (hex: string) => Uint8Array.from(hex.match(/../g) ?? [], (b) => parseInt(b, 16));

describe('host-CPU SIMD conformance (x87, SSE, AVX, XSAVE; user mode, real silicon)', () => {
  let cases: NativeCase[];
  let fixture: Fixture;
  /** The cases the fixture has outcomes for (the recording host may have lacked a feature). */
  let recorded: NativeCase[];

  beforeAll(() => {
    cases = generateSimdCases({ seed: DEFAULT_SEED });
    fixture = readFixture(SIMD_FIXTURE_PATH, cases);
    recorded = cases.filter((c) => fixture.outcomes.has(c.id));
  }, 300_000);

  it('has at least 50,000 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(50_000);
  });

  it.each(SIMD_FAMILIES.map((f) => [f.name, f] as const))('%s: every form appears within one period', (_name, family) => {
    const forms = new Set(generateFamily(family.name, 'coverage', family.period()).flatMap((c) => decodeForms(bytesOf(c.code)).map((d) => d.form)));
    // FINIT, FSTCW and FSTSW are WAIT and the no-wait form: they decode as two instructions.
    const decodedAs = (name: string) => (/^F(init|stcw|stsw)/.test(name) && forms.has('Wait') ? name.replace(/^F/, 'Fn') : name);
    expect(family.forms().map((f) => f.name).filter((f) => !forms.has(decodedAs(f)))).toEqual([]);
  });

  it('generation is deterministic and each SIMD family draws from its own stream', () => {
    const small = Object.fromEntries(SIMD_FAMILIES.map((f) => [f.name, 30]));
    const a = generateSimdCases({ seed: 'd', counts: small });
    expect(generateSimdCases({ seed: 'd', counts: small })).toEqual(a);
    expect(a.filter((c) => c.family === 'x87')).toEqual(generateFamily('x87', 'd', 30));
  });

  it('a case needing a feature the host lacks is skipped with the reason', () => {
    expect(missingFeature(['avx'], new Set(['sse2', 'xsave']), 0x7n)).toBe('the host CPU lacks avx');
    expect(missingFeature(['avx'], new Set(['avx']), 0x3n)).toBe("XCR0 0x3 does not enable avx's state");
    expect(missingFeature(['xsavec', 'fxsr'], new Set(['xsavec', 'fxsr']), 0x7n)).toBeNull();
  });

  it('the fixtures were recorded from exactly these cases', () => {
    const now = digestCases(cases);
    const stale = Object.keys(now.familyDigests).filter((f) => fixture.header.familyDigests[f] !== now.familyDigests[f]);
    expect(stale, `fixtures are stale for: ${stale.join(', ')} (the generator changed); re-record with ${RERECORD}`).toEqual([]);
    expect(fixture.header.digest).toBe(now.digest);
    const skipped = Object.values(fixture.header.skipped ?? {}).reduce((a, b) => a + b, 0);
    if (skipped) console.log(`the recording host skipped ${skipped} cases: ${JSON.stringify(fixture.header.skipped)}`);
    expect(fixture.outcomes.size + skipped).toBe(cases.length);
  });

  it('faults only where a family means to raise them', () => {
    const faulting = new Map<string, Set<string>>();
    for (const c of recorded) {
      const fault = fixture.outcomes.get(c.id)!.fault;
      if (fault) faulting.set(c.family, (faulting.get(c.family) ?? new Set<string>()).add(fault));
    }
    // Misaligned aligned-form operands and reserved MXCSR or XSAVE-header bits are #GP, unmasked
    // SIMD exceptions #XM, a pending unmasked x87 exception #MF at the next waiting instruction,
    // #UD for LOCK, a prefix before VEX, or a VEX.vvvv the move does not allow, and #AC for
    // misaligned scalar operands with RFLAGS.AC set.
    expect(Object.fromEntries([...faulting].map(([f, s]) => [f, [...s].sort()]))).toEqual({
      'sse-move': ['#GP'],
      'sse-int': ['#GP'],
      'sse-float': ['#GP', '#XM'],
      mxcsr: ['#GP'],
      'avx-move': ['#GP'],
      x87: ['#MF'],
      xsave: ['#GP'],
      'simd-chain': ['#GP', '#MF', '#XM'],
      'simd-prefix': ['#GP', '#UD'],
      'simd-ac': ['#AC', '#GP', '#MF', '#XM'],
    });
  });

  const liveTitle = hostReason ? `the host CPU still agrees with the recorded fixtures (skipped: ${hostReason})` : 'the host CPU still agrees with the recorded fixtures';
  it.skipIf(hostReason !== null)(
    liveTitle,
    () => {
      const harness = buildHarness();
      let live: NativeOutcome[];
      let runnable: NativeCase[];
      try {
        const flags = hostFlags();
        const xcr0 = harness.xcr0();
        const reasons = new Map<string, number>();
        runnable = recorded.filter((c) => {
          const reason = missingFeature(requirementsOf(c), flags, xcr0);
          if (reason) reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
          return reason === null;
        });
        for (const [reason, n] of reasons) console.log(`live host run: ${n} cases skipped: ${reason}`);
        live = harness.run(runnable);
      } finally {
        harness.dispose();
      }
      const result = tally(runnable, (c, i) => differences(c, fixture.outcomes.get(c.id)!, live[i]));
      reportAgreement(`live host run vs SIMD fixtures (recorded on ${fixture.header.host.cpu}; this host: ${hostCpu()})`, result, ['fixture', 'host']);
      if (hostCpu() === fixture.header.host.cpu) expect(result.disagreeing, 'the host disagrees with its own recording: a stale fixture or a harness bug').toBe(0);
      else console.log('this host is a different CPU model: its disagreements are reported above but do not fail the test');
    },
    300_000,
  );

  it('the emulator agrees with the host CPU on every case', () => {
    const started = performance.now();
    const result = tally(recorded, (c): Difference[] => {
      let actual: NativeOutcome;
      try {
        actual = runOnEmulator(c);
      } catch (error) {
        return [{ what: 'exception', expected: 'an outcome', actual: String(error instanceof Error ? (error.stack ?? error.message) : error).split('\n').slice(0, 3).join(' | ') }];
      }
      return differences(c, fixture.outcomes.get(c.id)!, actual);
    });
    const seconds = (performance.now() - started) / 1000;
    reportAgreement(`emulator vs host CPU (${fixture.header.host.cpu}), ${recorded.length} SIMD cases in ${seconds.toFixed(1)} s`, result, ['host', 'emulator']);
    expect(result.disagreeing, 'the emulator disagrees with the host CPU: see the table and the first mismatches above').toBe(0);
  }, 600_000);
});

// Re-records tests/fixtures/native from the host CPU: `npx tsx build/scripts/record-native-fixtures.ts [--seed S] [--only main|simd]`.
// Needs x86-64 Linux with gcc. The cases are regenerated from the seed; only their outcomes are stored.
// SIMD cases needing a feature the host lacks are left out of the fixture and listed in its header.
import { DEFAULT_SEED, generateCases, generateSimdCases } from '../../tests/conformance/native/generate.ts';
import { FIXTURE_PATH, FORMAT, SIMD_FIXTURE_PATH, digestCases, writeFixture } from '../../tests/conformance/native/fixtures.ts';
import { buildHarness, hostCpu, hostFlags, hostKernel, hostUnavailable, missingFeature, requirementsOf } from '../../tests/conformance/native/host.ts';
import type { NativeCase } from '../../tests/conformance/native/types.ts';

const option = (name: string): string | undefined => {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
};
const seed = option('--seed') ?? DEFAULT_SEED;
const only = option('--only');

const unavailable = hostUnavailable();
if (unavailable) {
  process.stderr.write(`cannot record native fixtures here: ${unavailable}\n`);
  process.exit(1);
}

const harness = buildHarness();
try {
  const sets: [string, string, () => NativeCase[]][] = [
    ['main', FIXTURE_PATH, () => generateCases({ seed })],
    ['simd', SIMD_FIXTURE_PATH, () => generateSimdCases({ seed })],
  ];
  const flags = hostFlags();
  const xcr0 = harness.xcr0();
  for (const [name, path, generate] of sets) {
    if (only && only !== name) continue;
    const started = Date.now();
    const all = generate();
    process.stderr.write(`${name}: generated ${all.length} cases in ${Date.now() - started} ms\n`);
    const skipped: Record<string, number> = {};
    const cases = all.filter((c) => {
      const reason = missingFeature(requirementsOf(c), flags, xcr0);
      if (reason) skipped[reason] = (skipped[reason] ?? 0) + 1;
      return reason === null;
    });
    const runStarted = Date.now();
    const outcomes = harness.run(cases);
    process.stderr.write(`${name}: ran ${cases.length} on the host in ${Date.now() - runStarted} ms\n`);
    const header = {
      format: FORMAT,
      seed,
      cases: all.length,
      ...digestCases(all),
      host: { cpu: hostCpu(), kernel: hostKernel(), xcr0: `0x${xcr0.toString(16)}` },
      recorded: new Date().toISOString(),
      ...(Object.keys(skipped).length ? { skipped } : {}),
    };
    const bytes = writeFixture(path, header, cases, outcomes);
    const faults = new Map<string, number>();
    for (const o of outcomes) if (o.fault) faults.set(o.fault, (faults.get(o.fault) ?? 0) + 1);
    process.stderr.write(`wrote ${path} (${(bytes / 1e6).toFixed(2)} MB) on ${header.host.cpu}\n`);
    process.stderr.write(`faults: ${[...faults].map(([f, n]) => `${f} ${n}`).join(', ')}\n`);
    for (const [reason, n] of Object.entries(skipped)) process.stderr.write(`skipped ${n}: ${reason}\n`);
  }
} finally {
  harness.dispose();
}

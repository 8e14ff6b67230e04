// Re-records tests/fixtures/native from the host CPU: `npx tsx build/scripts/record-native-fixtures.ts [--seed S]`.
// Needs x86-64 Linux with gcc. The cases are regenerated from the seed; only their outcomes are stored.
import { DEFAULT_SEED, generateCases } from '../../tests/conformance/native/generate.ts';
import { FIXTURE_PATH, FORMAT, digestCases, writeFixture } from '../../tests/conformance/native/fixtures.ts';
import { buildHarness, hostCpu, hostKernel, hostUnavailable } from '../../tests/conformance/native/host.ts';

const seedAt = process.argv.indexOf('--seed');
const seed = seedAt >= 0 ? process.argv[seedAt + 1] : DEFAULT_SEED;

const unavailable = hostUnavailable();
if (unavailable) {
  process.stderr.write(`cannot record native fixtures here: ${unavailable}\n`);
  process.exit(1);
}

const started = Date.now();
const cases = generateCases({ seed });
process.stderr.write(`generated ${cases.length} cases in ${Date.now() - started} ms\n`);
const harness = buildHarness();
try {
  const runStarted = Date.now();
  const outcomes = harness.run(cases);
  process.stderr.write(`ran them on the host in ${Date.now() - runStarted} ms\n`);
  const header = {
    format: FORMAT,
    seed,
    cases: cases.length,
    ...digestCases(cases),
    host: { cpu: hostCpu(), kernel: hostKernel() },
    recorded: new Date().toISOString(),
  };
  const bytes = writeFixture(FIXTURE_PATH, header, cases, outcomes);
  const faults = new Map<string, number>();
  for (const o of outcomes) if (o.fault) faults.set(o.fault, (faults.get(o.fault) ?? 0) + 1);
  process.stderr.write(`wrote ${FIXTURE_PATH} (${(bytes / 1e6).toFixed(2)} MB) on ${header.host.cpu}\n`);
  process.stderr.write(`faults: ${[...faults].map(([f, n]) => `${f} ${n}`).join(', ')}\n`);
} finally {
  harness.dispose();
}

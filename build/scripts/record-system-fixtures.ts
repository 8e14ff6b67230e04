/**
 * Generates the system scenarios and records what each available oracle says about them.
 *
 *   tsx build/scripts/record-system-fixtures.ts [generate] [record] [consensus]
 *       [--oracles kvm,qemu,bochs] [--filter PREFIX] [--jobs N]
 *
 * With no step named, runs all three. Writes tests/fixtures/system/scenarios.jsonl.gz,
 * results-<oracle>.jsonl.gz and consensus.jsonl.gz. Progress goes to stderr.
 */
import { generateAll } from '../../tests/conformance/system/generate/index.ts';
import { cleanupAssembler } from '../../tests/conformance/system/generate/asm.ts';
import { createOracle, ORACLE_NAMES, type OracleName } from '../../tests/conformance/system/oracles/index.ts';
import { buildConsensus } from '../../tests/conformance/system/consensus.ts';
import {
  CONSENSUS_FILE,
  isOracleError,
  readJsonl,
  readScenarios,
  resultsFile,
  SCENARIOS_FILE,
  writeJsonl,
  type RecordedResult,
} from '../../tests/conformance/system/fixtures.ts';
import { categoryOf, type Scenario } from '../../tests/conformance/system/scenario-types.ts';

const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const steps = args.filter((a, i) => !a.startsWith('--') && !(i > 0 && args[i - 1].startsWith('--')));
const want = (s: string) => steps.length === 0 || steps.includes(s);
const oracleNames = (opt('--oracles')?.split(',') ?? [...ORACLE_NAMES]) as OracleName[];
const filter = opt('--filter');
const jobs = Number(opt('--jobs') ?? 2);

async function pool<T, R>(items: T[], n: number, fn: (t: T, worker: number) => Promise<R>, label: string): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0,
    done = 0;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: n }, async (_, w) => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i], w);
        if (++done % 100 === 0 || done === items.length) {
          process.stderr.write(`\r${label}: ${done}/${items.length} (${((Date.now() - started) / 1000).toFixed(0)} s)   `);
        }
      }
    }),
  );
  process.stderr.write('\n');
  return out;
}

async function record(scenarios: Scenario[]): Promise<void> {
  for (const name of oracleNames) {
    const probe = createOracle(name);
    const why = await probe.available();
    if (why) {
      process.stderr.write(`${name}: not available (${why}); its fixture is left as it is\n`);
      continue;
    }
    const parallel = name === 'kvm' ? 1 : jobs;
    const instances = [probe, ...Array.from({ length: parallel - 1 }, () => createOracle(name))];
    const results = await pool(
      scenarios,
      parallel,
      async (s, w): Promise<RecordedResult> => {
        const r = await instances[w].run(s);
        return isOracleError(r) ? { name: s.name, error: r.error } : { name: s.name, result: r };
      },
      name,
    );
    for (const o of instances) await o.close?.();
    // Keep earlier results for scenarios outside --filter.
    const byName = new Map(readJsonl<RecordedResult>(resultsFile(name)).map((r) => [r.name, r]));
    for (const r of results) byName.set(r.name, r);
    const order = readScenarios().map((s) => s.name);
    writeJsonl(
      resultsFile(name),
      order.filter((n) => byName.has(n)).map((n) => byName.get(n)),
    );
    const errors = results.filter((r) => r.error).length;
    process.stderr.write(`${name}: ${results.length - errors} results, ${errors} oracle errors\n`);
  }
}

async function main(): Promise<void> {
  if (want('generate')) {
    const all = generateAll();
    cleanupAssembler();
    writeJsonl(SCENARIOS_FILE, all);
    const counts = new Map<string, number>();
    for (const s of all) counts.set(categoryOf(s.name), (counts.get(categoryOf(s.name)) ?? 0) + 1);
    process.stderr.write(`generated ${all.length} scenarios: ${[...counts].map(([c, n]) => `${c} ${n}`).join(', ')}\n`);
  }
  let scenarios = readScenarios();
  if (filter) scenarios = scenarios.filter((s) => s.name.startsWith(filter));
  if (want('record')) await record(scenarios);
  if (want('consensus')) {
    const entries = buildConsensus(readScenarios(), Object.fromEntries(ORACLE_NAMES.map((n) => [n, readJsonl<RecordedResult>(resultsFile(n))])));
    writeJsonl(CONSENSUS_FILE, entries);
    const bySource = new Map<string, number>();
    for (const e of entries) {
      const k = e.source.split(':')[0] + (e.source.startsWith('decision') ? ':' + e.source.split(':')[1] : '');
      bySource.set(k, (bySource.get(k) ?? 0) + 1);
    }
    process.stderr.write(`consensus: ${[...bySource].map(([k, n]) => `${k} ${n}`).join(', ')}\n`);
  }
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});

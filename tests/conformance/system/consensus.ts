/**
 * Consensus among the oracles' recorded results. Where every oracle that produced a result
 * agrees, that is the answer. Where they disagree, a decision from decisions.ts (each written
 * down in docs/oracle-decisions.md with its SDM citation) names the result to adopt.
 */
import { withBochs } from './bochs-consensus.ts';
import { compareResults } from './compare.ts';
import { DECISIONS, QEMU_UNRELIABLE, qemuWithCorrections } from './decisions.ts';
import type { ConsensusEntry, RecordedResult } from './fixtures.ts';
import type { Result, Scenario } from './scenario-types.ts';

/** Merges fields one oracle could not observe (QEMU's MSRs) from another that agrees elsewhere. */
function merged(results: [string, Result][]): Result {
  const base = structuredClone(results[0][1]);
  if (base.cpu) for (const [, r] of results.slice(1)) base.cpu.msr = { ...r.cpu?.msr, ...base.cpu.msr };
  return base;
}

export function disagreementFields(results: [string, Result][]): ConsensusEntry['disagreement'] {
  const fields = new Map<string, Record<string, string>>();
  const [first, ...rest] = results;
  for (const [name, r] of rest) {
    for (const d of compareResults(first[1], r)) {
      const f = fields.get(d.field) ?? { [first[0]]: d.expected };
      f[name] = d.actual;
      fields.set(d.field, f);
    }
  }
  return [...fields].map(([field, values]) => ({ field, values }));
}

export function buildConsensus(scenarios: Scenario[], recorded: Record<string, RecordedResult[]>): ConsensusEntry[] {
  const entries = scenarios.map((s) => consensusOf(s, recorded));
  // Scenarios whose Intel answer is their surrogate's (see generate/iret64.ts).
  const byName = new Map(entries.map((e) => [e.name, e]));
  return entries.map((e) => {
    const sur = byName.get(`surrogate/${e.name}`);
    if (!sur) return e;
    const disagreement = e.disagreement ?? (e.result ? undefined : []);
    return sur.result
      ? { name: e.name, result: sur.result, source: `decision:${/noncanonical/.test(e.name) ? 'intel-noncanonical-gp' : 'sysret-as-iretq'}`, ...(disagreement ? { disagreement } : {}) }
      : { name: e.name, source: 'undecided', disagreement: e.disagreement };
  });
}

type Index = Record<string, Map<string, RecordedResult>>;
const indexCache = new WeakMap<object, Index>();

function indexOf(recorded: Record<string, RecordedResult[]>): Index {
  let index = indexCache.get(recorded);
  if (!index) {
    index = Object.fromEntries(Object.entries(recorded).map(([o, rows]) => [o, new Map(rows.map((r) => [r.name, r]))]));
    indexCache.set(recorded, index);
  }
  return index;
}

/** KVM and QEMU (with the decisions between them) first; then Bochs (bochs-consensus.ts). */
function consensusOf(s: Scenario, recorded: Record<string, RecordedResult[]>): ConsensusEntry {
  const index = indexOf(recorded);
  const others: [string, Result][] = [];
  for (const [oracle, rows] of Object.entries(index)) {
    const r = rows.get(s.name)?.result;
    if (r && oracle !== 'bochs') others.push([oracle, r]);
  }
  return withBochs(s, consensusWithoutBochs(s, index), index.bochs?.get(s.name)?.result, others);
}

function consensusWithoutBochs(s: Scenario, index: Index): ConsensusEntry {
  {
    const results: [string, Result][] = [];
    for (const [oracle, rows] of Object.entries(index)) {
      if (oracle === 'bochs') continue;
      const r = rows.get(s.name)?.result;
      if (r) results.push([oracle, r]);
    }
    if (results.length === 0) return { name: s.name, source: 'undecided' };
    const disagreement = disagreementFields(results);
    if (results.length === 1 && results[0][0] === 'qemu') {
      const unreliable = QEMU_UNRELIABLE.find(([re]) => re.test(s.name));
      if (unreliable) return { name: s.name, source: 'undecided', disagreement: [{ field: 'qemu-only', values: { qemu: unreliable[1] } }] };
      return { name: s.name, result: qemuWithCorrections(s, results[0][1]), source: 'only:qemu' };
    }
    if (!disagreement?.length) {
      // Prefer the result that observed MSRs as the base (KVM) when merging.
      results.sort(([a], [b]) => (a === 'kvm' ? -1 : b === 'kvm' ? 1 : 0));
      return { name: s.name, result: merged(results), source: `${results.length > 1 ? 'agree' : 'only'}:${results.map(([o]) => o).sort().join(',')}` };
    }
    for (const d of DECISIONS) {
      if (!d.applies(s, results, disagreement)) continue;
      const r = d.decide(s, results, disagreement);
      if (r) return { name: s.name, result: r, source: `decision:${d.id}`, disagreement };
    }
    return { name: s.name, source: 'undecided', disagreement };
  }
}

/**
 * Bochs's place in the consensus. The KVM/QEMU consensus (with its decisions) is computed first,
 * unchanged; Bochs, an Intel model, then either confirms it, or its disagreement is settled by
 * one of the classes below (each in docs/oracle-decisions.md with the SDM text), or the scenario
 * becomes undecided. Where KVM and QEMU left a scenario undecided, Bochs's answer is adopted
 * only for the classes below whose SDM pseudocode it follows.
 */
import { compareResults } from './compare.ts';
import { disagreementFields } from './consensus.ts';
import { qemuWithCorrections } from './decisions.ts';
import type { ConsensusEntry } from './fixtures.ts';
import type { Result, Scenario } from './scenario-types.ts';

const HANDLERS = 0x23000;
const vectorOf = (r: Result | undefined) => (r?.cpu ? Number(BigInt(r.cpu.regs.rip)) - 1 - HANDLERS : -1);

interface BochsClass {
  id: string;
  /** Where KVM/QEMU decided and Bochs differs: adopt Bochs (`bochs`) or keep the decision (`keep`). */
  when: 'decided' | 'undecided';
  applies(s: Scenario, bochs: Result, base: ConsensusEntry, others: [string, Result][]): boolean;
  adopt: 'bochs' | 'keep';
}

export const BOCHS_CLASSES: BochsClass[] = [];

/** The consensus entry once Bochs's result (if any) is taken into account. */
export function withBochs(s: Scenario, base: ConsensusEntry, bochs: Result | undefined, others: [string, Result][]): ConsensusEntry {
  if (!bochs) return base;
  if (base.result) {
    if (compareResults(base.result, bochs).length === 0) return { ...base, result: withMsrs(base.result, bochs), source: confirmed(base.source) };
    const cls = BOCHS_CLASSES.find((c) => c.when === 'decided' && c.applies(s, bochs, base, others));
    const disagreement = [...(base.disagreement ?? []), ...bochsDisagreement(base.result, bochs)];
    if (!cls) return { name: s.name, source: 'undecided', disagreement };
    return { name: s.name, result: cls.adopt === 'bochs' ? bochs : base.result, source: `decision:${cls.id}`, disagreement };
  }
  const cls = BOCHS_CLASSES.find((c) => c.when === 'undecided' && c.applies(s, bochs, base, others));
  if (cls?.adopt === 'bochs') {
    const disagreement = others.length ? disagreementFields([['bochs', bochs], ...others.map(([o, r]) => [o, o === 'qemu' ? qemuWithCorrections(s, r) : r] as [string, Result])]) : undefined;
    return { name: s.name, result: bochs, source: `decision:${cls.id}`, ...(disagreement?.length ? { disagreement } : {}) };
  }
  return base;
}

/** "agree:kvm,qemu" becomes "agree:bochs,kvm,qemu", "only:qemu" becomes "agree:bochs,qemu"; decisions keep their id. */
function confirmed(source: string): string {
  const m = /^(agree|only):(.*)$/.exec(source);
  return m ? `agree:${['bochs', ...m[2].split(',')].sort().join(',')}` : source;
}

/** Bochs reads every MSR back; QEMU cannot, so an answer adopted from QEMU alone has none. */
function withMsrs(r: Result, bochs: Result): Result {
  if (!r.cpu || !bochs.cpu) return r;
  const out = structuredClone(r);
  out.cpu!.msr = { ...bochs.cpu.msr, ...out.cpu!.msr };
  return out;
}

function bochsDisagreement(expected: Result, bochs: Result): NonNullable<ConsensusEntry['disagreement']> {
  return compareResults(expected, bochs).map((d) => ({ field: d.field, values: { consensus: d.expected, bochs: d.actual } }));
}

export { vectorOf };

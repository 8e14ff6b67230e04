/**
 * Bochs's place in the consensus. The KVM/QEMU consensus (with its decisions) is computed first,
 * unchanged; Bochs, an Intel model, then either confirms it, or its disagreement is settled by
 * one of the classes below (each in docs/oracle-decisions.md with the SDM text), or the scenario
 * becomes undecided. Where KVM and QEMU left a scenario undecided, Bochs's answer is adopted
 * only for the classes below whose SDM pseudocode it follows.
 */
import { compareResults } from './compare.ts';
import { disagreementFields } from './consensus.ts';
import { QEMU_UNRELIABLE, qemuWithCorrections } from './decisions.ts';
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

const get = (results: [string, Result][], oracle: string) => results.find(([o]) => o === oracle)?.[1];

/** The word `slot` words above RSP in the dumps (slot 0 is the error code or saved IP). */
function stackWord(r: Result, slot: number): bigint | undefined {
  if (!r.cpu) return undefined;
  const w = r.cpu.mode === 'protected32' ? 4 : 8;
  const at = BigInt(r.cpu.regs.rsp) + BigInt(slot * w);
  for (const m of r.memory ?? []) {
    const off = Number(at - BigInt(m.addr));
    if (off < 0 || off + w > m.hex.length / 2) continue;
    return BigInt('0x' + (m.hex.slice(off * 2, off * 2 + w * 2).match(/../g) ?? []).reverse().join(''));
  }
  return undefined;
}

export const BOCHS_CLASSES: BochsClass[] = [
  {
    // IRETD to an EIP beyond the new CS limit: QEMU completes the return and faults on the fetch
    // (QEMU_UNRELIABLE), kvm-pvm cannot run IRETD. The SDM faults at the IRET itself
    // (Vol. 2A IRET: "IF tempEIP is not within code segment limits THEN #GP(0)"); Bochs's frame
    // must name the IRET (its saved EIP is the scenario's first instruction).
    id: 'bochs-iretd-beyond-limit',
    when: 'undecided',
    applies: (s, b) => /^prot32-iretd\/cs-limited-user\/.*\/beyond-limit-/.test(s.name) && b.stop === 'hlt'
      && [10, 11, 12, 13].includes(vectorOf(b)) && stackWord(b, 1) === BigInt(s.cpu.regs.rip),
    adopt: 'bochs',
  },
  {
    // An interrupt or exception from CPL 3 through a 32-bit gate to ring 0 whose TSS stack
    // (SS0:ESP0) is unusable: every delivery needs that stack, so the #TS becomes #DF and the
    // #DF a shutdown (Vol. 3A §6.15 Interrupt 8, Table 6-5; Interrupt 10). QEMU and Bochs
    // triple-fault; kvm-pvm delivers a handler.
    id: 'kvm-delivers-through-invalid-tss-stack',
    when: 'undecided',
    applies: (s, b, _base, others) => /^prot32-gates\/(ss0-[a-z-]+|tss-limit-short)\/.*cpl3-/.test(s.name)
      && b.stop === 'triple-fault' && get(others, 'qemu')?.stop === 'triple-fault' && get(others, 'kvm')?.stop === 'hlt',
    adopt: 'bochs',
  },
  {
    // KVM and QEMU left it undecided (kvm-pvm differs in more than one of its known classes at
    // once); Bochs gives exactly QEMU's answer once QEMU's documented deviations are corrected.
    id: 'bochs-confirms-qemu',
    when: 'undecided',
    applies: (s, b, _base, others) => {
      const q = get(others, 'qemu');
      if (!q || QEMU_UNRELIABLE.some(([re]) => re.test(s.name)) || /^syscall\/syscall\/compat-/.test(s.name)) return false;
      return compareResults(qemuWithCorrections(s, q), b).length === 0;
    },
    adopt: 'bochs',
  },
  {
    // The same, with KVM: Bochs gives exactly kvm-pvm's answer where QEMU differs (e.g. INT1 at
    // CPL 3 delivers #DB without the gate's DPL check, Vol. 2A INT n/INT1: "the privilege check
    // … is not performed for INT1"; QEMU raises #GP).
    id: 'bochs-confirms-kvm',
    when: 'undecided',
    applies: (_s, b, _base, others) => {
      const k = get(others, 'kvm');
      return !!k && compareResults(k, b).length === 0;
    },
    adopt: 'bochs',
  },
  {
    // INT n through a gate whose offset is not canonical: Intel raises #GP(0) at the INT, before
    // pushing anything (Vol. 2A INT n, IA-32e mode: "IF instruction pointer from gate is
    // non-canonical THEN #GP(EXT)"); QEMU pushes the frame first (QEMU_UNRELIABLE).
    id: 'bochs-int-noncanonical-target',
    when: 'undecided',
    applies: (s, b) => /^int64\/int-n\/target-noncanonical\//.test(s.name) && vectorOf(b) === 13
      && stackWord(b, 0) === 0n && stackWord(b, 1) === BigInt(s.cpu.regs.rip),
    adopt: 'bochs',
  },
  {
    // INT3 (CC) through a DPL-0 or not-present gate at CPL 3: the error code names IDT entry 3,
    // 3·8 + 2 = 0x1a (Vol. 3A §6.13, Figure 6-7); QEMU pushes 0x32 and kvm-pvm delivers #BP.
    id: 'bochs-int3-gate-error-code',
    when: 'undecided',
    applies: (s, b) => /^(df64\/np-during-bp-benign|int64\/exception\/bp-int3)\//.test(s.name)
      && [11, 13].includes(vectorOf(b)) && stackWord(b, 0) === 0x1an,
    adopt: 'bochs',
  },
  {
    // A misaligned access at CPL 3 with CR0.AM = 1 and EFLAGS.AC = 1 raises #AC(0) (Vol. 3A §6.15
    // Interrupt 17). QEMU has no alignment checking; kvm-pvm raises #AC but loses AC in RFLAGS.
    id: 'qemu-no-alignment-check',
    when: 'undecided',
    applies: (s, b) => /^int64\/exception\/ac-misaligned\/cpl3-/.test(s.name) && vectorOf(b) === 17 && stackWord(b, 0) === 0n,
    adopt: 'bochs',
  },
  {
    // SYSCALL outside 64-bit mode: Intel raises #UD (Vol. 2B SYSCALL: "IF (CS.L ≠ 1) or
    // (IA32_EFER.LMA ≠ 1) or (IA32_EFER.SCE ≠ 1) THEN #UD"); KVM and QEMU follow AMD (CSTAR).
    id: 'intel-syscall-compat-ud',
    when: 'undecided',
    applies: (s, b) => /^syscall\/syscall\/compat-/.test(s.name) && vectorOf(b) === 6,
    adopt: 'bochs',
  },
  {
    // INT1 (ICEBP, F1) raises a debug exception (Vol. 2A INT n/INTO/INT3/INT1: "generates a
    // debug exception"); QEMU 7.2 raises #UD where it alone ran.
    id: 'qemu-int1-ud',
    when: 'decided',
    applies: (s, b, base) => /^int64\/exception\/int1\//.test(s.name) && vectorOf(b) === 1 && vectorOf(base.result) === 6,
    adopt: 'bochs',
  },
  {
    // IN from a port nothing decodes returns what the platform drives, not architectural state:
    // QEMU's PC reads 0xFF, Bochs's 0x00. The adopted decision (QEMU) stands; only AL differs.
    id: 'platform-port-value',
    when: 'decided',
    applies: (s, b, base) => /^int64\/privileged\/in\//.test(s.name) && !!base.result
      && compareResults(base.result, b).every((d) => d.field === 'regs.rax' && (BigInt(d.expected) >> 8n) === (BigInt(d.actual) >> 8n)),
    adopt: 'keep',
  },
  {
    // IRET to a not-present SS: Bochs raises #NP(SS selector), as QEMU does; the decision
    // `iret-ss-not-present-is-ss` (the IRET pseudocode's #SS) stands.
    id: 'iret-ss-not-present-is-ss',
    when: 'decided',
    applies: (s, b, base) => /\/ss-not-present\//.test(s.name) && vectorOf(b) === 11 && vectorOf(base.result) === 12,
    adopt: 'keep',
  },
];

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
    const adopted = withSsForNotPresentSs(s, bochs);
    const disagreement = others.length ? disagreementFields([['bochs', bochs], ...others.map(([o, r]) => [o, o === 'qemu' ? qemuWithCorrections(s, r) : r] as [string, Result])]) : undefined;
    return { name: s.name, result: adopted, source: `decision:${cls.id}`, ...(disagreement?.length ? { disagreement } : {}) };
  }
  return base;
}

/**
 * Bochs raises #NP where an IRET finds its SS not present; the SDM raises #SS with the same
 * frame (`iret-ss-not-present-is-ss`), so an adopted Bochs answer stops in handler 12.
 */
function withSsForNotPresentSs(s: Scenario, r: Result): Result {
  if (!/\/ss-not-present\//.test(s.name) || vectorOf(r) !== 11) return r;
  const out = structuredClone(r);
  out.cpu!.regs.rip = '0x' + (HANDLERS + 12 + 1).toString(16);
  return out;
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

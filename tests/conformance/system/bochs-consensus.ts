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
  /** `bochs`, `keep` (the KVM/QEMU decision), or for undecided scenarios another oracle's answer. */
  adopt: 'bochs' | 'keep' | ((s: Scenario, bochs: Result, others: [string, Result][]) => Result | undefined);
}

const EXCEPTION = (v: number) => v >= 0 && v < 32;
const IRETD_SAME_LEVEL_64 = /^iret64\/(cs-kernel64|cs-compat-ring0|cs-conf-dpl0-rpl0)\/ss-[a-z-]+\/d-canonical-/;
const SYSRET = /^(surrogate\/)?syscall\/sysretq(-high-canonical)?\//;
/** IF, IOPL, AC, VIF, VIP: the RFLAGS bits kvm-pvm does not keep architecturally (`kvm-rflags-system-bits`). */
const KVM_SYSTEM_FLAGS = 0x200n | 0x3000n | 0x40000n | 0x80000n | 0x100000n;
/** RFLAGS bits kvm-pvm and QEMU each get wrong in SYSRET (and its IRETQ surrogate): see `sysret-as-iretq`. */
const SYSRET_FLAG_DEVIATION: Record<string, bigint> = { kvm: 0x47000n, qemu: 0x1b0000n };

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

/**
 * True when `r` differs from `bochs` only in RFLAGS bits within `mask`, in RFLAGS and in the
 * 8-byte words of the dumped memory (where the frames hold RFLAGS).
 */
function differsOnlyInFlags(r: Result, bochs: Result, mask: bigint): boolean {
  return compareResults(r, bochs).every((d) => {
    if (d.field === 'regs.rflags') return ((BigInt(d.expected) ^ BigInt(d.actual)) & ~mask) === 0n;
    if (!d.field.startsWith('memory[') || d.expected.length !== d.actual.length) return false;
    for (let i = 0; i < d.expected.length; i += 16) {
      const word = (hex: string) => BigInt('0x' + (hex.slice(i, i + 16).match(/../g) ?? []).reverse().join(''));
      if (((word(d.expected) ^ word(d.actual)) & ~mask) !== 0n) return false;
    }
    return true;
  });
}

/** The selector in slot `slot` of the IRET frame at the scenario's initial RSP (`width`-byte slots). */
function frameSelector(s: Scenario, slot: number, width: number): number | undefined {
  const at = BigInt(s.cpu.regs.rsp) + BigInt(slot * width);
  for (const m of s.memory) {
    const off = Number(at - BigInt(m.addr));
    if (off >= 0 && off + 2 <= m.hex.length / 2) return parseInt(m.hex.slice(off * 2 + 2, off * 2 + 4) + m.hex.slice(off * 2, off * 2 + 2), 16);
  }
  return undefined;
}

/**
 * IRET to a code segment with L = 1 and D = 1: the combination is reserved in IA-32e mode and
 * using it raises #GP (Vol. 3A §5.2.1, "a #GP fault will be generated on an attempt to use a code
 * segment with these bits set"), with the code segment's selector, before the SS checks. KVM and
 * QEMU return into it (or take the SS fault); Bochs raises #GP(CS selector) at the IRET.
 */
const csLAndD = (s: Scenario, b: Result) => /^iret64\/cs-l-and-d\//.test(s.name) && vectorOf(b) === 13
  && stackWord(b, 1) === BigInt(s.cpu.regs.rip)
  && stackWord(b, 0) === BigInt((frameSelector(s, 1, /\/d-/.test(s.name) ? 4 : 8) ?? 0) & 0xfffc);

/** RF (RFLAGS bit 16) in either 4-byte half of an 8-byte dump word: where a 32-bit frame's EFLAGS lands. */
const RF_IN_EITHER_HALF = 0x10000n | (0x10000n << 32n);

/**
 * SYSENTER in IA-32e mode (64-bit and compatibility): Intel executes it (Vol. 2B SYSENTER,
 * "64-Bit Mode: valid"; #GP(0) for a null IA32_SYSENTER_CS), AMD raises #UD in long mode, and
 * kvm-pvm on this AMD host and QEMU follow AMD (#UD, or in compatibility mode QEMU's own partial
 * entry). Bochs, an Intel model, is adopted where it does not raise #UD and another oracle does
 * or they differ.
 */
const sysenterInIa32e = (s: Scenario, b: Result, others: Result[]) => /^sysenter\/long64\/sysenter-/.test(s.name)
  && b.stop === 'hlt' && vectorOf(b) !== 6 && others.some((r) => vectorOf(r) === 6 || compareResults(r, b).length > 0);

export const BOCHS_CLASSES: BochsClass[] = [
  {
    // #GP from HLT at CPL 3 through a gate to a conforming ring-0 segment: the handler runs at
    // CPL 3 on the same stack (Vol. 3A §6.12.1.1) and leaves through INT 0x41 to ring 0. The #GP
    // frame it left on the user stack is a fault's, so its EFLAGS image has RF = 1 (Vol. 3B
    // §17.3.1.1). QEMU pushes 0 (`rf-on-fault`), and that correction reaches only the frame of the
    // handler that stopped; kvm-pvm cannot run it. Bochs sets RF and differs in nothing else.
    id: 'rf-on-fault-in-an-earlier-frame',
    when: 'decided',
    applies: (s, b, base) => /^prot32-gates\/to-conforming\/gp-from-hlt-cpl3-/.test(s.name) && !!base.result
      && differsOnlyInFlags(base.result, b, RF_IN_EITHER_HALF),
    adopt: 'bochs',
  },
  { id: 'intel-cs-l-and-d-gp', when: 'decided', applies: csLAndD, adopt: 'bochs' },
  { id: 'intel-cs-l-and-d-gp', when: 'undecided', applies: csLAndD, adopt: 'bochs' },
  {
    // IRET in 64-bit mode to compatibility mode with a null SS: #GP (Vol. 2A IRET, 64-bit mode
    // exceptions: "If the stack segment selector is NULL going back to compatibility mode").
    // Whichever oracles raise it agree on the frame; the others return.
    id: 'iret-null-ss-to-compat-gp',
    when: 'undecided',
    applies: (s, b, _base, others) => /^iret64\/cs-compat-ring0\/ss-null\//.test(s.name) && gpAnswer(b, others) !== undefined,
    adopt: (_s, b, others) => gpAnswer(b, others),
  },
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
    // CALL through a 16-bit call gate takes only the low 16 bits of the gate's offset (Vol. 2A
    // CALL, CALL-GATE: "EIP ← CallGate(InstructionPointer) AND 0000FFFFH" for a 16-bit gate).
    // QEMU jumps to the full 32-bit offset (adopted over kvm-pvm's #UD by `kvm-spurious-ud`);
    // Bochs halts at IP 0x0200.
    id: 'intel-16bit-call-gate-ip',
    when: 'decided',
    applies: (s, b) => /^callgate\/prot32\/16bit-gate\//.test(s.name) && b.stop === 'hlt' && b.cpu?.regs.rip === '0x201',
    adopt: 'bochs',
  },
  {
    // #UD through a task gate: the fault's EFLAGS image is saved in the old task's TSS instead of
    // being pushed, and for a fault its RF is 1 (Vol. 3B §17.3.1.1). QEMU saves RF = 0 (its
    // `rf-on-fault` deviation), kvm-pvm raises #GP(IDT) instead of switching tasks; Bochs sets
    // RF there and differs from QEMU in nothing else.
    id: 'rf-on-fault-in-tss',
    when: 'undecided',
    applies: (s, b, _base, others) => {
      const q = get(others, 'qemu');
      return /^task32\/ud-task-gate\//.test(s.name) && !!q && differsOnlyInFlags(qemuWithCorrections(s, q), b, RF_IN_EITHER_HALF);
    },
    adopt: 'bochs',
  },
  { id: 'intel-sysenter-in-ia32e-mode', when: 'decided', applies: (s, b, base) => sysenterInIa32e(s, b, base.result ? [base.result] : []), adopt: 'bochs' },
  { id: 'intel-sysenter-in-ia32e-mode', when: 'undecided', applies: (s, b, _base, others) => sysenterInIa32e(s, b, others.map(([, r]) => r)), adopt: 'bochs' },
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
  {
    // LGDT/LIDT in 64-bit mode with a non-canonical base: the SDM loads SRC[16:79] unchecked and
    // its exceptions name only a non-canonical operand address (Vol. 2A LGDT/LIDT). SDM silent
    // on the loaded base; majority (KVM and QEMU load it, Bochs raises #GP(0)).
    id: 'lgdt-noncanonical-base-loads',
    when: 'decided',
    applies: (s, b) => /^dtload\/(lgdt|lidt)-noncanonical-base\//.test(s.name) && vectorOf(b) === 13,
    adopt: 'keep',
  },
  {
    // IRETD in 64-bit mode without a privilege change still pops ESP and SS (Vol. 2A IRET,
    // IA-32e-MODE: "IF instruction began in 64-Bit Mode THEN IF OperandSize = 32 THEN ESP ← Pop();
    // SS ← Pop()"), and loading SS checks its selector and descriptor (Vol. 3A §5.7). KVM and
    // QEMU fault on the bad SS (decided above); Bochs completes the return without checking it.
    id: 'iretd-64-same-level-loads-ss',
    when: 'decided',
    applies: (s, b, base) => IRETD_SAME_LEVEL_64.test(s.name) && !EXCEPTION(vectorOf(b)) && [12, 13].includes(vectorOf(base.result)),
    adopt: 'keep',
  },
  {
    // The same IRETD with a usable SS: QEMU pops the five words of the pseudocode; Bochs pops
    // three, kvm-pvm raises #GP (its deprivileged IRET). QEMU's answer, corrected, is adopted.
    id: 'iretd-64-same-level-loads-ss',
    when: 'undecided',
    applies: (s, b, _base, others) => {
      const q = get(others, 'qemu');
      return IRETD_SAME_LEVEL_64.test(s.name) && !/^iret64\/cs-compat-ring0\/ss-null\//.test(s.name)
        && !EXCEPTION(vectorOf(b)) && !!q && !EXCEPTION(vectorOf(q));
    },
    adopt: (s, _b, others) => qemuWithCorrections(s, get(others, 'qemu')!),
  },
  {
    // INT3 at CPL 0 through a DPL-0 gate delivers #BP: no DPL check fails, so QEMU's misprinted
    // IDT error code (the reason bp-int3 is in QEMU_UNRELIABLE) never arises; Bochs agrees with it.
    id: 'bochs-confirms-qemu-int3-cpl0',
    when: 'undecided',
    applies: (s, b, _base, others) => {
      const q = get(others, 'qemu');
      return /^int64\/exception\/bp-int3\/cpl0-/.test(s.name) && vectorOf(b) === 3 && !!q && compareResults(qemuWithCorrections(s, q), b).length === 0;
    },
    adopt: 'bochs',
  },
  {
    // RF loaded by IRET lasts for one instruction: the processor clears it once the next
    // instruction completes (Vol. 3B §17.3.1.1). KVM and Bochs clear it after the target's first
    // instruction, QEMU keeps it; KVM also differs in the system flags it does not own
    // (`kvm-rflags-system-bits`). Bochs is adopted where those are the only differences.
    id: 'qemu-keeps-rf-after-iret',
    when: 'undecided',
    applies: (s, b, _base, others) => {
      const k = get(others, 'kvm');
      const q = get(others, 'qemu');
      return /^iret64\//.test(s.name) && !!b.cpu && (BigInt(b.cpu.regs.rflags) & 0x10000n) === 0n && !!k && !!q
        && differsOnlyInFlags(k, b, KVM_SYSTEM_FLAGS) && differsOnlyInFlags(qemuWithCorrections(s, q), b, 0x10000n)
        && compareResults(qemuWithCorrections(s, q), b).length > 0;
    },
    adopt: 'bochs',
  },
  {
    // SYSRET's RFLAGS is (R11 AND 3C7FD7H) OR 2 (Vol. 2B SYSRET). kvm-pvm drops IOPL and NT
    // (and AC, `kvm-rflags-system-bits`), QEMU drops VIF/VIP and takes RF and VM from R11
    // (`sysret-as-iretq`). Bochs is adopted where the user RFLAGS in its fault frame is exactly
    // the SDM's (plus RF, the frame being a fault's) and each other oracle differs from Bochs only
    // in its own deviating bits.
    id: 'sysret-rflags-from-r11',
    when: 'undecided',
    applies: (s, b, _base, others) => {
      if (!SYSRET.test(s.name) || ![13, 14].includes(vectorOf(b))) return false;
      const want = ((BigInt(s.cpu.regs.r11) & 0x3c7fd7n) | 2n) | 0x10000n;
      return stackWord(b, 3) === want && others.length > 0
        && others.every(([o, r]) => o in SYSRET_FLAG_DEVIATION && differsOnlyInFlags(o === 'qemu' ? qemuWithCorrections(s, r) : r, b, SYSRET_FLAG_DEVIATION[o]));
    },
    adopt: 'bochs',
  },
];

/** The one #GP answer among the oracles (all that raise #GP agreeing), if any. */
function gpAnswer(bochs: Result, others: [string, Result][]): Result | undefined {
  const gp = [bochs, ...others.map(([, r]) => r)].filter((r) => vectorOf(r) === 13);
  return gp.length && gp.every((r) => compareResults(gp[0], r).length === 0) ? gp[0] : undefined;
}

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
  const picked = cls && (cls.adopt === 'bochs' ? withSsForNotPresentSs(s, bochs) : cls.adopt === 'keep' ? undefined : cls.adopt(s, bochs, others));
  if (cls && picked) {
    const adopted = picked;
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

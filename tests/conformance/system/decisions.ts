/**
 * How each class of disagreement among the oracles is settled. Every entry here has a section
 * in docs/oracle-decisions.md with the oracles' answers and the SDM text that decides.
 */
import { fromHex, toHex } from '../../../emulator/layout/index.ts';
import { compareResults } from './compare.ts';
import type { ConsensusEntry } from './fixtures.ts';
import type { Result, Scenario } from './scenario-types.ts';

type Diff = NonNullable<ConsensusEntry['disagreement']>;

export interface Decision {
  id: string;
  applies(s: Scenario, results: [string, Result][], diff: Diff): boolean;
  decide(s: Scenario, results: [string, Result][], diff: Diff): Result | undefined;
}

const get = (results: [string, Result][], oracle: string) => results.find(([o]) => o === oracle)?.[1];

/**
 * Fault-class vectors (SDM Vol. 3A Table 6-1: class "Fault"), and #DF, which is always raised
 * while delivering a fault here (its saved CS:RIP is architecturally undefined; the frame
 * follows the fault that caused it).
 */
const FAULT_VECTORS = new Set([0, 5, 6, 7, 8, 10, 11, 12, 13, 14, 16, 17, 19, 20, 21]);
const HANDLERS = 0x23000;

/**
 * SDM Vol. 3B §17.3.1.1: "For any fault-class exception except a debug exception generated in
 * response to an instruction breakpoint, the value pushed for RF is 1." QEMU pushes the current
 * RF (0). This sets RF in the frame QEMU left at the handler's stack when the handler that ran
 * is a fault-class vector reached by a fault, not by a software INT n.
 */
export function withRfOnFault(s: Scenario, r: Result): Result {
  if (r.stop !== 'hlt' || !r.cpu || !r.memory) return r;
  const v = Number(BigInt(r.cpu.regs.rip)) - 1 - HANDLERS;
  if (v < 0 || v > 255 || !FAULT_VECTORS.has(v)) return r;
  const wide = r.cpu.mode !== 'protected32';
  const w = wide ? 8 : 4;
  const hasError = [8, 10, 11, 12, 13, 14, 17, 21].includes(v);
  const rsp = BigInt(r.cpu.regs.rsp);
  const frameRip = rsp + BigInt(hasError ? w : 0);
  const out = structuredClone(r);
  let changed = false;
  for (const m of out.memory!) {
    const start = BigInt(m.addr), bytes = fromHex(m.hex);
    const ripOff = Number(frameRip - start);
    const flagsOff = ripOff + 2 * w;
    if (ripOff < 0 || flagsOff + 4 > bytes.length) continue;
    if (bytes[flagsOff + 2] & 1) return r;
    let savedRip = 0n;
    for (let i = w - 1; i >= 0; i--) savedRip = (savedRip << 8n) | BigInt(bytes[ripOff + i]);
    if (softwareInterruptBefore(s, savedRip, v)) return r;
    bytes[flagsOff + 2] |= 0x01;
    m.hex = toHex(bytes);
    changed = true;
  }
  return changed ? out : r;
}

/** A copy of `r` whose error-code slot (the word at RSP in every dump) is taken from `from`. */
function withErrorCodeOf(r: Result, from: Result): Result {
  const out = structuredClone(r);
  if (!out.cpu || !from.cpu || out.cpu.regs.rsp !== from.cpu.regs.rsp) return out;
  const w = out.cpu.mode === 'protected32' ? 4 : 8;
  const rsp = BigInt(out.cpu.regs.rsp);
  out.memory?.forEach((m, i) => {
    const off = Number(rsp - BigInt(m.addr));
    const src = from.memory?.[i];
    if (off < 0 || off + w > m.hex.length / 2 || !src || src.addr !== m.addr) return;
    m.hex = m.hex.slice(0, off * 2) + src.hex.slice(off * 2, (off + w) * 2) + m.hex.slice((off + w) * 2);
  });
  return out;
}

/** The error code each side pushed (the word at RSP), when both stopped in the same handler. */
function errorCodes(a: Result, b: Result): [bigint, bigint] | undefined {
  if (!a.cpu || !b.cpu || a.cpu.regs.rsp !== b.cpu.regs.rsp) return undefined;
  const rsp = BigInt(a.cpu.regs.rsp);
  for (let i = 0; i < (a.memory ?? []).length; i++) {
    const ma = a.memory![i], mb = b.memory?.[i];
    const off = Number(rsp - BigInt(ma.addr));
    if (!mb || off < 0 || off + 4 > ma.hex.length / 2) continue;
    const word = (h: string) => BigInt('0x' + (h.slice(off * 2, off * 2 + 8).match(/../g) ?? []).reverse().join(''));
    return [word(ma.hex), word(mb.hex)];
  }
  return undefined;
}

/** True when the two bytes before `rip` in the scenario's memory are INT imm8 with this vector. */
function softwareInterruptBefore(s: Scenario, rip: bigint, v: number): boolean {
  const at = Number(rip) - 2;
  for (const e of s.memory) {
    const a = Number(BigInt(e.addr));
    if (at >= a && at + 2 <= a + e.hex.length / 2) {
      const b = fromHex(e.hex.slice((at - a) * 2, (at - a) * 2 + 4));
      return b[0] === 0xcd && b[1] === v;
    }
  }
  return false;
}

const vectorOf = (r: Result | undefined) => (r?.cpu ? Number(BigInt(r.cpu.regs.rip)) - 1 - HANDLERS : -1);

/** A copy with the given RFLAGS bits cleared in RFLAGS and in every aligned word of every dump. */
function maskFlags(r: Result, bits: bigint): Result {
  const out = structuredClone(r);
  if (!out.cpu) return out;
  out.cpu.regs.rflags = '0x' + (BigInt(out.cpu.regs.rflags) & ~bits).toString(16);
  const w = out.cpu.mode === 'protected32' ? 4 : 8;
  for (const m of out.memory ?? []) {
    const b = fromHex(m.hex);
    const lead = (w - (Number(BigInt(m.addr)) % w)) % w;
    for (let i = lead; i + 3 <= b.length; i += w) {
      b[i + 1] &= ~Number((bits >> 8n) & 0xffn);
      b[i + 2] &= ~Number((bits >> 16n) & 0xffn);
    }
    m.hex = toHex(b);
  }
  return out;
}

const agreeAfter = (a: Result | undefined, b: Result | undefined) => !!a && !!b && compareResults(a, b).length === 0;

function withSs(r: Result, ss: string): Result {
  const out = structuredClone(r);
  if (out.cpu) out.cpu.seg.ss = ss;
  return out;
}

/** Prefer QEMU's answer with its RF deviation corrected, and KVM's MSRs (QEMU cannot read them). */
function qemuCorrected(s: Scenario, results: [string, Result][]): Result | undefined {
  const q = get(results, 'qemu');
  if (!q) return undefined;
  const out = withRfOnFault(s, q);
  const k = get(results, 'kvm');
  if (out.cpu && k?.cpu) out.cpu.msr = { ...k.cpu.msr, ...out.cpu.msr };
  return out;
}

export const DECISIONS: Decision[] = [
  {
    // A #GP during IRET's SS checks: kvm-pvm pushes error code 0, the SDM's IRET pseudocode
    // says #GP(SS selector) for a wrong RPL, DPL or type (Vol. 2A IRET, RETURN-TO-OUTER-PRIVILEGE-LEVEL).
    id: 'kvm-iret-gp-error-code-zero',
    applies: (s, results) => {
      const k = get(results, 'kvm'), q = get(results, 'qemu');
      if (!k || !q || !/^iret64\//.test(s.name) || vectorOf(k) !== 13 || vectorOf(q) !== 13) return false;
      const codes = errorCodes(k, q);
      return !!codes && codes[0] === 0n && codes[1] !== 0n
        && agreeAfter(maskFlags(withErrorCodeOf(k, q), 0x43200n), maskFlags(withRfOnFault(s, q), 0x43200n));
    },
    decide: qemuCorrected,
  },
  {
    // #PF for a reserved bit: QEMU leaves P clear in the error code; the SDM sets RSVD only for
    // present entries, so P is 1 (Vol. 3A §4.7, Figure 4-12).
    id: 'pf-rsvd-sets-p',
    applies: (s, results) => {
      const k = get(results, 'kvm'), q = get(results, 'qemu');
      if (!k || !q || vectorOf(k) !== 14 || vectorOf(q) !== 14) return false;
      const codes = errorCodes(k, q);
      return !!codes && (codes[0] & 9n) === 9n && codes[1] === (codes[0] & ~1n)
        && agreeAfter(k, withErrorCodeOf(withRfOnFault(s, q), k));
    },
    decide: (_s, results) => get(results, 'kvm'),
  },
  {
    id: 'rf-on-fault',
    applies: (s, results) => agreeAfter(get(results, 'kvm'), withRfOnFault(s, get(results, 'qemu') ?? ({} as Result))),
    decide: (_s, results) => get(results, 'kvm'),
  },
  {
    // kvm-pvm runs the guest deprivileged: IOPL, AC and (at CPL 3) IF in the live RFLAGS are
    // the hypervisor's, not the architectural ones.
    id: 'kvm-rflags-iopl-ac-if',
    applies: (s, results) => {
      const k = get(results, 'kvm'), q = get(results, 'qemu');
      return !!k && !!q && agreeAfter(maskFlags(k, 0x43200n), maskFlags(withRfOnFault(s, q), 0x43200n));
    },
    decide: qemuCorrected,
  },
  {
    // INT n from CPL 3: kvm-pvm raises #UD for many vectors; the SDM delivers through the gate,
    // or raises #GP(n*8+2) when the gate's DPL is below CPL (Vol. 2A INT n/INTO/INT3/INT1).
    id: 'kvm-int-n-ud',
    applies: (s, results) => vectorOf(get(results, 'kvm')) === 6 && vectorOf(get(results, 'qemu')) !== 6 && /int-n|int64\/int-n/.test(s.name),
    decide: qemuCorrected,
  },
  {
    // kvm-pvm ran out of time where QEMU halted in a handler (ring 1 and 2 stacks, call gates).
    id: 'kvm-limit',
    applies: (_s, results) => get(results, 'kvm')?.stop === 'limit' && get(results, 'qemu')?.stop === 'hlt',
    decide: qemuCorrected,
  },
  {
    // A #PF raised while pushing a frame: kvm-pvm leaves CR2 at 0; the SDM loads CR2 with the
    // faulting linear address for every #PF (Vol. 3A §4.7, §6.15 Interrupt 14).
    id: 'kvm-cr2-on-delivery-pf',
    applies: (s, results) => {
      const k = get(results, 'kvm'), q = get(results, 'qemu');
      if (!k?.cpu || !q?.cpu || k.cpu.cr2 !== '0x0' || q.cpu.cr2 === '0x0') return false;
      const kk = structuredClone(k);
      kk.cpu!.cr2 = q.cpu.cr2;
      return agreeAfter(kk, withRfOnFault(s, q));
    },
    decide: qemuCorrected,
  },
  {
    // IRET to a not-present stack segment: QEMU raises #NP, the SDM says #SS(selector).
    id: 'iret-ss-not-present-is-ss',
    applies: (s, results) => /ss-not-present/.test(s.name) && vectorOf(get(results, 'kvm')) === 12 && vectorOf(get(results, 'qemu')) === 11,
    decide: (_s, results) => get(results, 'kvm'),
  },
  {
    // Delivery through an IST entry without a privilege change: QEMU nulls SS, the SDM loads
    // a null SS only on a privilege-level change.
    id: 'ist-same-level-keeps-ss',
    applies: (s, results) => {
      const k = get(results, 'kvm'), q = get(results, 'qemu');
      return !!k?.cpu && !!q && agreeAfter(k, withSs(withRfOnFault(s, q), k.cpu.seg.ss));
    },
    decide: (_s, results) => get(results, 'kvm'),
  },
  {
    // IRETQ to CPL 3 with an SS that is read-only, a code segment, or of the wrong DPL/RPL:
    // kvm-pvm completes the return, the SDM raises #GP(SS selector).
    id: 'kvm-iret-skips-ss-checks',
    applies: (s, results) => /^iret64\/.*\/ss-(read-only|code-as-ss|dpl-mismatch|rpl-mismatch|expand-down)\//.test(s.name)
      && vectorOf(get(results, 'qemu')) === 13 && get(results, 'qemu')?.cpu?.cpl === '0x0' && vectorOf(get(results, 'kvm')) === 13
      && Number(BigInt(get(results, 'kvm')!.cpu!.regs.rsp)) > 0x70000,
    decide: qemuCorrected,
  },
  {
    // SYSCALL from 64-bit user code: kvm-pvm either stays at CPL 3 at LSTAR or keeps the user's
    // IF against SFMASK; QEMU follows the SDM's SYSCALL operation (Vol. 2B SYSCALL).
    id: 'kvm-syscall-deprivileged',
    applies: (s, results) => /^syscall\/(syscall\/64-|round-trip)/.test(s.name) && !!get(results, 'qemu'),
    decide: qemuCorrected,
  },
];

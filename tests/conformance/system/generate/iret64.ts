/**
 * IRETQ / IRETD in 64-bit mode (SDM Vol. 2A IRET: IA-32e mode return; Vol. 3A §6.14.3).
 * The frame is data at the initial RSP and the code is a single IRET, so every variant shares
 * its code; targets land on a page of HLTs (at CPL 3 the HLT raises #GP(0), whose frame on the
 * RSP0 stack records the state IRET produced).
 */
import { hex } from '../../../../emulator/layout/index.ts';
import type { Scenario } from '../scenario-types.ts';
import { A, Machine, XL } from './machine.ts';

const cpl = (sel: number) => sel & 3;

/** CS candidates: [label, selector]. */
const CS_CHOICES: [string, number][] = [
  ['user64', 0x2b], ['user32', 0x1b], ['kernel64', 0x08], ['null', 0x00], ['null-rpl3', 0x03],
  ['kernel-rpl3', 0x0b], ['user64-rpl0', 0x28], ['np-user64', XL.code64Dpl3NotPresent | 3],
  ['conf-dpl0-rpl3', XL.code64Dpl0Conforming | 3], ['conf-dpl0-rpl0', XL.code64Dpl0Conforming],
  ['conf-dpl3-rpl0', XL.code64Dpl3Conforming], ['conf-dpl3-rpl3', XL.code64Dpl3Conforming | 3],
  ['ring1', XL.code64Dpl1 | 1], ['ring2', XL.code64Dpl2 | 2], ['data-as-cs', 0x23], ['tss-as-cs', 0x33],
  ['compat-ring0', XL.code32Dpl0], ['l-and-d', XL.code64Dpl0LandD], ['execonly-user', XL.code64Dpl3ExecOnly | 3],
  ['beyond-gdt', 0x3f8 | 3], ['ldt-sel-no-ldt', 0x0f], ['np-kernel', XL.code64Dpl0NotPresent],
];

/** SS candidates relative to the target RPL r: [label, (r) => selector]. */
const SS_CHOICES: [string, (r: number) => number][] = [
  ['match', (r) => [0x10, XL.dataDpl1 | 1, XL.dataDpl2 | 2, 0x23][r]],
  ['null', (r) => r],
  ['rpl-mismatch', (r) => ([0x10, XL.dataDpl1 | 1, XL.dataDpl2 | 2, 0x23][r] & ~3) | ((r + 1) & 3)],
  ['dpl-mismatch', (r) => (r === 0 ? 0x20 : 0x10) | r],
  ['read-only', (r) => (r === 3 ? XL.dataDpl3ReadOnly : XL.dataDpl0ReadOnly) | r],
  ['not-present', (r) => (r === 3 ? XL.dataDpl3NotPresent : XL.dataDpl0NotPresent) | r],
  ['code-as-ss', (r) => (r === 3 ? 0x28 : 0x08) | r],
  ['beyond-gdt', (r) => 0x3f0 | r],
  ['expand-down', (r) => XL.dataDpl0ExpandDown | r],
];

const DATA_SEG_SETS: [string, Partial<Record<'ds' | 'es' | 'fs' | 'gs', number>>][] = [
  ['kernel-data', { ds: 0x10, es: 0x10, fs: 0x10, gs: 0x10 }],
  ['mixed', { ds: 0x23, es: 0x10, fs: 0x00, gs: 0x08 }],
  ['conforming-and-ring1', { ds: XL.code64Dpl0Conforming, es: XL.dataDpl1 | 1, fs: 0x23, gs: 0x10 }],
];

function frame(m: Machine, rsp: number, q: boolean, rip: bigint, cs: number, rflags: bigint, newRsp: bigint, ss: number): void {
  const vals = [rip, BigInt(cs), rflags, newRsp, BigInt(ss)];
  vals.forEach((v, i) => (q ? m.mem.writeU64(rsp + i * 8, v) : m.mem.writeU32(rsp + i * 4, v)));
}

function fillHlt(m: Machine): void {
  m.mem.write(A.UCODE, new Uint8Array(0x100).fill(0xf4));
  m.mem.write(A.KCODE + 0x800, new Uint8Array(0x100).fill(0xf4));
}

function randomImageFlags(m: Machine, opts: { iopl?: boolean; extras?: boolean }): bigint {
  const r = m.rng;
  let f = 0x2n | ([0x1n, 0x4n, 0x10n, 0x40n, 0x80n, 0x400n, 0x800n].filter(() => r.bool()).reduce((a, b) => a | b, 0n));
  if (r.bool()) f |= 0x200n;
  if (opts.iopl) f |= BigInt(r.int(4)) << 12n;
  // NT, RF, AC, ID. Not VIF/VIP: QEMU's IRET never loads them and kvm-pvm loads them at any CPL,
  // so neither oracle can vouch for them (docs/oracle-decisions.md).
  if (opts.extras) for (const b of [0x4000n, 0x10000n, 0x40000n, 0x200000n]) if (r.int(3) === 0) f |= b;
  return f;
}

/**
 * The Intel SDM raises #GP(0) at the IRETQ/SYSRET itself for a non-canonical target; AMD
 * processors (and so kvm-pvm on this host, and QEMU) complete the return and fault on the
 * fetch. The surrogate of such a scenario is the same machine with the instruction replaced by
 * a non-canonical load, which raises the same #GP(0) at the same address with nothing else
 * changed: its oracle consensus is the Intel answer for the original (docs/oracle-decisions.md).
 */
export const SURROGATE_CODE = 'movabs 0x0000800000000000, %al';
export const surrogateName = (name: string) => `surrogate/${name}`;

export function iret64(): Scenario[] {
  const out: Scenario[] = [];
  let seed = 1000;
  for (const [csLabel, cs] of CS_CHOICES) {
    for (const [ssLabel, ssOf] of SS_CHOICES) {
      for (const variant of ['canonical', 'noncanonical'] as const) {
        for (const q of [true, false]) {
          if (!q && variant === 'noncanonical') continue;
          const thisSeed = seed++;
          for (const surrogate of variant === 'noncanonical' ? [false, true] : [false]) {
          const m = new Machine({ mode: 'long64', seed: thisSeed });
          fillHlt(m);
          m.code(A.KCODE, surrogate ? SURROGATE_CODE : q ? 'iretq' : 'iretl');
          const rsp = A.KSTACK - 0x40 - 8 * m.rng.int(4);
          m.regs.rsp = BigInt(rsp);
          const r = cpl(cs);
          const target = r === 0 ? A.KCODE + 0x800 + m.rng.int(0xf0) : A.UCODE + m.rng.int(0xf0);
          const rip = variant === 'canonical' ? BigInt(target) : 0x0000800000000000n | BigInt(target);
          const newRsp = BigInt((r === 0 ? A.KSTACK - 0x200 : A.USTACK) - 8 * m.rng.int(16));
          const ds = m.rng.pick(DATA_SEG_SETS);
          Object.assign(m.seg, ds[1]);
          m.fsBase = m.rng.u64() & 0x00007fffffffffffn;
          m.gsBase = m.rng.u64() & 0x00007fffffffffffn;
          m.regs.rflags = (m.regs.rflags & ~0x3000n) | (BigInt(m.rng.int(4)) << 12n);
          frame(m, rsp, q, rip, cs, randomImageFlags(m, { iopl: true, extras: m.rng.bool() }), newRsp, ssOf(r));
          m.dumpStack(A.USTACK, 0x100).dump(A.KSTACK - 0x200 - 0x80, 0x80);
          const name = `iret64/cs-${csLabel}/ss-${ssLabel}/${q ? 'q' : 'd'}-${variant}-${thisSeed + 1}`;
          out.push(m.build(surrogate ? surrogateName(name) : name));
          }
        }
      }
    }
  }
  // Same-level and outward returns from CPL 3, and from CPL 0 with NT set (#GP(0) in IA-32e).
  for (let i = 0; i < 100; i++) {
    const fromUser = i % 3 !== 2;
    const m = new Machine({ mode: 'long64', seed: seed++, user: fromUser });
    fillHlt(m);
    const codeAt = fromUser ? A.UCODE + 0xf00 : A.KCODE;
    m.code(codeAt, 'iretq');
    m.regs.rip = BigInt(codeAt);
    const stackTop = fromUser ? A.USTACK : A.KSTACK;
    const rsp = stackTop - 0x40;
    m.regs.rsp = BigInt(rsp);
    const cs = fromUser ? m.rng.pick([0x2b, 0x1b, 0x08, 0x2b, XL.code64Dpl3Conforming | 3]) : 0x2b;
    if (!fromUser) m.regs.rflags |= 0x4000n;
    if (fromUser && i % 2 === 0) m.regs.rflags |= BigInt(m.rng.int(4)) << 12n;
    const r = cpl(cs);
    const target = r === 0 ? A.KCODE + 0x800 : A.UCODE + m.rng.int(0xf0);
    frame(m, rsp, true, BigInt(target), cs, randomImageFlags(m, { iopl: true, extras: true }), BigInt(A.USTACK - 0x100 - 8 * m.rng.int(8)), r === 3 ? 0x23 : 0x10);
    m.dumpStack(A.USTACK, 0x180);
    out.push(m.build(`iret64/${fromUser ? 'from-cpl3' : 'nt-set'}/cs-${hex(cs)}-${seed}`));
  }
  return out;
}

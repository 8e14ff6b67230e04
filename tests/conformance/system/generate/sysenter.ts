/**
 * SYSENTER and SYSEXIT (SDM Vol. 2B SYSENTER, SYSEXIT) in protected mode and in IA-32e mode:
 * the selectors derived from IA32_SYSENTER_CS (CS, CS + 8; CS + 16 and + 24 back to 32-bit
 * code, + 32 and + 40 for the 64-bit SYSEXIT), ESP/EIP from the MSRs, ECX/EDX on the way back,
 * the flags cleared on entry, #GP(0) for a null IA32_SYSENTER_CS, SYSEXIT at CPL 3 and a
 * non-canonical return address, and round trips.
 */
import type { Scenario } from '../scenario-types.ts';
import { A, Machine } from './machine.ts';

const ENTRY = A.KCODE + 0x400;
const KSTACK_TOP = A.RSP0 - 0x1000;

type Setup = (m: Machine) => { at: 'user' | 'kernel' | 'compat'; code: string };

function msrs(m: Machine, cs = 0x08): void {
  m.msr.sysenterCs = BigInt(cs);
  m.msr.sysenterEsp = BigInt(KSTACK_TOP - 4 * m.rng.int(16));
  m.msr.sysenterEip = BigInt(ENTRY);
}

/** ECX/EDX for SYSEXIT: a user stack and a user address holding HLTs. */
function exitRegs(m: Machine, wide: boolean): void {
  const hi = wide ? m.rng.u64() & 0xffffffff00000000n : 0n;
  m.regs.rcx = BigInt(A.USTACK - 4 * m.rng.int(16)) | (m.rng.bool() ? hi : 0n);
  m.regs.rdx = BigInt(A.UCODE + m.rng.int(0x40)) | (m.rng.bool() ? hi : 0n);
}

const PROT32: [string, Setup][] = [
  ['sysenter-from-cpl3', (m) => { msrs(m); return { at: 'user', code: 'sysenter\nhlt' }; }],
  ['sysenter-from-cpl0', (m) => { msrs(m); return { at: 'kernel', code: 'sysenter\nhlt' }; }],
  ['sysenter-cs-null', (m) => { msrs(m, 0); return { at: 'user', code: 'sysenter\nhlt' }; }],
  ['sysenter-cs-rpl3', (m) => { msrs(m, 0x0b); return { at: 'user', code: 'sysenter\nhlt' }; }],
  ['sysexit', (m) => { msrs(m); exitRegs(m, false); return { at: 'kernel', code: 'sysexit' }; }],
  ['sysexit-at-cpl3', (m) => { msrs(m); exitRegs(m, false); return { at: 'user', code: 'sysexit\nhlt' }; }],
  ['sysexit-cs-null', (m) => { msrs(m, 0); exitRegs(m, false); return { at: 'kernel', code: 'sysexit' }; }],
  ['round-trip', (m) => {
    msrs(m);
    m.code(ENTRY, 'push %ecx\npush %edx\npushf\npop %eax\npop %edx\npop %ecx\nsysexit');
    m.dumpStack(KSTACK_TOP, 0x80);
    return { at: 'user', code: `mov $${A.USTACK - 0x20}, %ecx\nmov $${A.UCODE + 0x80}, %edx\nsysenter\nhlt` };
  }],
];

const LONG64: [string, Setup][] = [
  ['sysenter-from-64', (m) => { msrs(m); return { at: 'user', code: 'sysenter\nhlt' }; }],
  ['sysenter-from-compat', (m) => { msrs(m); return { at: 'compat', code: 'sysenter\nhlt' }; }],
  ['sysenter-cs-null', (m) => { msrs(m, 0); return { at: 'user', code: 'sysenter\nhlt' }; }],
  ['sysexitq', (m) => { msrs(m); exitRegs(m, false); return { at: 'kernel', code: 'sysexitq' }; }],
  ['sysexitl', (m) => { msrs(m); exitRegs(m, true); return { at: 'kernel', code: 'sysexitl' }; }],
  ['sysexitq-noncanonical-rdx', (m) => { msrs(m); exitRegs(m, false); m.regs.rdx |= 0x0000800000000000n; return { at: 'kernel', code: 'sysexitq' }; }],
  ['sysexit-at-cpl3', (m) => { msrs(m); exitRegs(m, false); return { at: 'user', code: 'sysexitq\nhlt' }; }],
  ['sysexitq-cs-null', (m) => { msrs(m, 0); exitRegs(m, false); return { at: 'kernel', code: 'sysexitq' }; }],
];

export function sysenters(): Scenario[] {
  const out: Scenario[] = [];
  let seed = 99000;
  for (const [mode, cases] of [['protected32', PROT32], ['long64', LONG64]] as const) {
    const long = mode === 'long64';
    for (const [label, setup] of cases) {
      for (let k = 0; k < 8; k++) {
        const probe = new Machine({ mode, seed, user: true });
        const where = setup(probe).at;
        const m = new Machine({ mode, seed: seed++, user: where !== 'kernel' });
        const { code } = setup(m);
        if (where === 'compat') m.seg.cs = 0x1b;
        if (m.rng.bool()) m.regs.rflags |= 0x200n;
        if (m.long) m.mem.write(ENTRY, Uint8Array.of(0xf4));
        else if (label !== 'round-trip') m.mem.write(ENTRY, Uint8Array.of(0xf4));
        m.mem.write(A.UCODE, new Uint8Array(0x100).fill(0xf4));
        m.code(where === 'kernel' ? A.KCODE : A.UCODE + 0x100, code, where === 'compat' || !long ? 32 : 64);
        if (where !== 'kernel') m.regs.rip = BigInt(A.UCODE + 0x100);
        m.dumpStack(A.USTACK, 0x40);
        out.push(m.build(`sysenter/${long ? 'long64' : 'prot32'}/${label}/${seed}`));
      }
    }
  }
  return out;
}

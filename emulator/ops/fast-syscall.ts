/** SYSCALL/SYSRET (Intel semantics: only in 64-bit mode), SYSENTER/SYSEXIT and SWAPGS. */
import type { Cpu } from '../cpu/state.ts';
import { MSR, isCanonical } from '../cpu/state.ts';
import { CR0_PE, EFER_SCE } from '../arch/control-registers.ts';
import { SEG_CS, SEG_DB, SEG_DPL_SHIFT, SEG_G, SEG_GS, SEG_L, SEG_P, SEG_S, SEG_SS } from '../arch/segments.ts';
import { FIXED1, IF, RF, TF, VM } from '../arch/rflags.ts';
import { generalProtection, hex, invalidOpcode } from '../arch/faults.ts';
import { type Factory } from './operands.ts';
import { TWO32 } from '../arch/registers.ts';
import { requireCpl0, signed64 } from './privilege.ts';

const RCX = 1;
const R11 = 11;

/** Loads a flat 4 GiB segment's fixed hidden part, as SYSCALL, SYSRET, SYSENTER and SYSEXIT do (no descriptor is read). */
function flat(cpu: Cpu, s: number, selector: number, attrs: number): void {
  const seg = cpu.seg[s];
  seg.selector = selector;
  seg.base = 0;
  seg.limit = 0xffffffff;
  seg.attrs = attrs;
}

function flatCode(cpu: Cpu, selector: number, dpl: number, long: boolean): void {
  flat(cpu, SEG_CS, selector, 0xb | SEG_S | (dpl << SEG_DPL_SHIFT) | SEG_P | SEG_G | (long ? SEG_L : SEG_DB));
}

function flatStack(cpu: Cpu, selector: number, dpl: number): void {
  flat(cpu, SEG_SS, selector, 0x3 | SEG_S | (dpl << SEG_DPL_SHIFT) | SEG_P | SEG_G | SEG_DB);
}

const syscall: Factory = () => (cpu) => {
  if (!cpu.longMode || cpu.codeBits !== 64) throw invalidOpcode('SYSCALL: only valid in 64-bit mode on this CPU');
  if ((cpu.efer & EFER_SCE) === 0) throw invalidOpcode('SYSCALL: EFER.SCE is clear');
  const rip = cpu.rip;
  const h = Math.floor(rip / TWO32);
  cpu.lo[RCX] = rip - h * TWO32;
  cpu.hi[RCX] = h;
  cpu.lo[R11] = cpu.flags & ~RF;
  cpu.hi[R11] = 0;
  const fmask = cpu.msr.sfmask;
  cpu.flags = ((cpu.flags & ~fmask) & ~RF) | FIXED1;
  const sel = cpu.msr.syscallCs;
  flatCode(cpu, sel & 0xfffc, 0, true);
  flatStack(cpu, (sel + 8) & 0xfffc, 0);
  cpu.rip = cpu.msr.lstar;
  cpu.updateMode();
  // A single-step trap follows the RFLAGS left after IA32_FMASK (so a kernel that masks TF is not stepped).
  cpu.stepFromResult = ((cpu.lo[R11] | cpu.flags) & TF) !== 0;
};

const sysret: Factory = (raw) => {
  const wide = raw.mnemonic === 'SYSRETQ' || raw.opSize === 8;
  return (cpu) => {
    if (!cpu.longMode || cpu.codeBits !== 64) throw invalidOpcode('SYSRET: only valid in 64-bit mode');
    if ((cpu.efer & EFER_SCE) === 0) throw invalidOpcode('SYSRET: EFER.SCE is clear');
    requireCpl0(cpu, 'SYSRET');
    const sel = cpu.msr.sysretCs;
    const rcx = cpu.hi[RCX] * TWO32 + (cpu.lo[RCX] >>> 0);
    // Intel processors check RCX before leaving ring 0: the #GP is taken at CPL 0.
    if (wide && !isCanonical(rcx)) throw generalProtection(0, `SYSRET: RCX ${hex(rcx)} is not canonical`);
    const oldFlags = cpu.flags;
    cpu.flags = ((cpu.lo[R11] & 0x3c7fd7) | FIXED1) >>> 0;
    if (wide) flatCode(cpu, ((sel + 16) & 0xfffc) | 3, 3, true);
    else flatCode(cpu, (sel & 0xfffc) | 3, 3, false);
    flatStack(cpu, ((sel + 8) & 0xfffc) | 3, 3);
    cpu.rip = wide ? rcx : cpu.lo[RCX] >>> 0;
    cpu.updateMode();
    // Restoring TF from R11 traps right after SYSRET, at the user's RIP (unlike IRET).
    cpu.stepFromResult = ((oldFlags | cpu.flags) & TF) !== 0;
  };
};

/** SYSENTER (Intel SDM Vol. 2B): flat ring-0 CS/SS from IA32_SYSENTER_CS, ESP/EIP from the MSRs; VM, IF, RF cleared. */
const sysenter: Factory = () => (cpu) => {
  if ((cpu.cr0 & CR0_PE) === 0) throw generalProtection(0, 'SYSENTER: not in protected mode');
  const cs = Number((cpu.msr.get(MSR.SYSENTER_CS) ?? 0n) & 0xffffn);
  if ((cs & 0xfffc) === 0) throw generalProtection(0, 'SYSENTER: IA32_SYSENTER_CS is null');
  cpu.flags &= ~(VM | IF | RF);
  const long = cpu.longMode;
  flatCode(cpu, cs & 0xfffc, 0, long);
  flatStack(cpu, (cs + 8) & 0xfffc, 0);
  const esp = cpu.msr.get(MSR.SYSENTER_ESP) ?? 0n;
  const eip = cpu.msr.get(MSR.SYSENTER_EIP) ?? 0n;
  if (long) {
    const v = signed64(esp);
    const h = Math.floor(v / TWO32);
    cpu.lo[4] = v - h * TWO32;
    cpu.hi[4] = h;
    cpu.rip = signed64(eip);
  } else {
    cpu.lo[4] = Number(esp & 0xffffffffn) | 0;
    cpu.hi[4] = 0;
    cpu.rip = Number(eip & 0xffffffffn);
  }
  cpu.updateMode();
};

/** SYSEXIT: back to ring 3 with CS = SYSENTER_CS + 16 (+32 for the 64-bit form), ESP = ECX, EIP = EDX. */
const sysexit: Factory = (raw) => (cpu) => {
  if ((cpu.cr0 & CR0_PE) === 0) throw generalProtection(0, 'SYSEXIT: not in protected mode');
  requireCpl0(cpu, 'SYSEXIT');
  const cs = Number((cpu.msr.get(MSR.SYSENTER_CS) ?? 0n) & 0xffffn);
  if ((cs & 0xfffc) === 0) throw generalProtection(0, 'SYSEXIT: IA32_SYSENTER_CS is null');
  const wide = raw.mnemonic === 'SYSEXITQ' || raw.opSize === 8;
  let rsp: number;
  let rip: number;
  if (wide) {
    rsp = cpu.hi[1] * TWO32 + (cpu.lo[1] >>> 0);
    rip = cpu.hi[2] * TWO32 + (cpu.lo[2] >>> 0);
    if (!isCanonical(rsp) || !isCanonical(rip)) throw generalProtection(0, `SYSEXIT: ${isCanonical(rsp) ? `RDX ${hex(rip)}` : `RCX ${hex(rsp)}`} is not canonical`);
  } else {
    rsp = cpu.lo[1] >>> 0;
    rip = cpu.lo[2] >>> 0;
  }
  flatCode(cpu, ((cs + (wide ? 32 : 16)) & 0xfffc) | 3, 3, wide);
  flatStack(cpu, ((cs + (wide ? 40 : 24)) & 0xfffc) | 3, 3);
  const h = Math.floor(rsp / TWO32);
  cpu.lo[4] = rsp - h * TWO32;
  cpu.hi[4] = h;
  cpu.rip = rip;
  cpu.updateMode();
};

const swapgs: Factory = () => (cpu) => {
  if (cpu.codeBits !== 64) throw invalidOpcode('SWAPGS: only valid in 64-bit mode');
  requireCpl0(cpu, 'SWAPGS');
  const kernel = cpu.msr.get(MSR.KERNEL_GS_BASE) ?? 0n;
  cpu.msr.set(MSR.KERNEL_GS_BASE, BigInt.asUintN(64, BigInt(cpu.seg[SEG_GS].base)));
  cpu.seg[SEG_GS].base = signed64(kernel);
};


export const fastSyscallOps: Record<string, Factory> = {
  SYSCALL: syscall,
  SYSRET: sysret,
  SYSRETQ: sysret,
  SWAPGS: swapgs,
  SYSENTER: sysenter,
  SYSEXIT: sysexit,
  SYSEXITQ: sysexit,
};

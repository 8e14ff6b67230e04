/** Model-specific registers (RDMSR, WRMSR) and the FS/GS base instructions (RDFSBASE and friends: CR4.FSGSBASE, 64-bit mode). */
import type { Cpu } from '../cpu/state.ts';
import { MSR, isCanonical } from '../cpu/state.ts';
import { CR0_PG, EFER_LMA, EFER_LME, EFER_NXE, EFER_SCE } from '../arch/control-registers.ts';
import { SEG_FS, SEG_GS } from '../arch/segments.ts';
import { generalProtection, hex, invalidOpcode } from '../arch/faults.ts';
import { setReg, type Factory } from './operands.ts';
import { TWO32 } from '../arch/registers.ts';
import { requireCpl0, signed64, toBig } from './privilege.ts';

const RCX = 1;

const EFER_WRITABLE = EFER_SCE | EFER_LME | EFER_NXE;

function readMsr(cpu: Cpu, n: number): bigint {
  switch (n) {
    case MSR.EFER: return BigInt(cpu.efer >>> 0);
    case MSR.FS_BASE: return BigInt.asUintN(64, BigInt(cpu.seg[SEG_FS].base));
    case MSR.GS_BASE: return BigInt.asUintN(64, BigInt(cpu.seg[SEG_GS].base));
    case MSR.TSC: return BigInt(cpu.instructions) + (cpu.msr.get(MSR.TSC) ?? 0n);
    case MSR.STAR: case MSR.LSTAR: case MSR.CSTAR: case MSR.SFMASK: case MSR.KERNEL_GS_BASE: case MSR.TSC_AUX:
    case MSR.SYSENTER_CS: case MSR.SYSENTER_ESP: case MSR.SYSENTER_EIP: case MSR.APIC_BASE: case MSR.PAT:
      return cpu.msr.get(n) ?? (n === MSR.PAT ? 0x0007040600070406n : n === MSR.APIC_BASE ? 0xfee00900n : 0n);
    default:
      throw generalProtection(0, `RDMSR: MSR ${hex(n)} is not implemented by this CPU`);
  }
}

function writeMsr(cpu: Cpu, n: number, v: bigint): void {
  const canonical = (what: string) => {
    if (!isCanonical(signed64(v)) || BigInt.asIntN(64, v) !== BigInt(signed64(v))) throw generalProtection(0, `WRMSR: ${what} ${hex(v)} is not canonical`);
  };
  switch (n) {
    case MSR.EFER: {
      const v32 = Number(v & 0xffffffffn);
      if (v >> 32n !== 0n || v32 & ~(EFER_WRITABLE | EFER_LMA)) throw generalProtection(0, `WRMSR: reserved EFER bits set in ${hex(v)}`);
      if (cpu.cr0 & CR0_PG && (v32 & EFER_LME) !== (cpu.efer & EFER_LME)) throw generalProtection(0, 'WRMSR: EFER.LME cannot change while paging is on');
      cpu.efer = (v32 & EFER_WRITABLE) | (cpu.efer & EFER_LMA);
      cpu.updateMode();
      cpu.mem.flush();
      return;
    }
    case MSR.FS_BASE: canonical('FS base'); cpu.seg[SEG_FS].base = signed64(v); return;
    case MSR.GS_BASE: canonical('GS base'); cpu.seg[SEG_GS].base = signed64(v); return;
    case MSR.LSTAR: case MSR.CSTAR: case MSR.KERNEL_GS_BASE: case MSR.SYSENTER_ESP: case MSR.SYSENTER_EIP:
      canonical('the address');
      cpu.msr.set(n, v);
      return;
    case MSR.TSC:
      cpu.msr.set(n, BigInt.asUintN(64, v - BigInt(cpu.instructions)));
      return;
    case MSR.STAR: case MSR.SFMASK: case MSR.TSC_AUX: case MSR.SYSENTER_CS: case MSR.APIC_BASE: case MSR.PAT:
      cpu.msr.set(n, n === MSR.SFMASK || n === MSR.TSC_AUX ? v & 0xffffffffn : v);
      return;
    default:
      throw generalProtection(0, `WRMSR: MSR ${hex(n)} is not implemented by this CPU`);
  }
}

const rdmsr: Factory = () => (cpu) => {
  requireCpl0(cpu, 'RDMSR');
  const v = readMsr(cpu, cpu.lo[RCX] >>> 0);
  setReg(cpu, 0, 4, Number(v & 0xffffffffn) | 0);
  setReg(cpu, 2, 4, Number(v >> 32n) | 0);
};

const wrmsr: Factory = () => (cpu) => {
  requireCpl0(cpu, 'WRMSR');
  writeMsr(cpu, cpu.lo[RCX] >>> 0, toBig(cpu.lo[0], cpu.lo[2]));
};


function fsgsBase(seg: number, store: boolean): Factory {
  return (raw) => {
    const [op] = raw.ops;
    return (cpu) => {
      if (cpu.codeBits !== 64 || !(cpu.cr4 & (1 << 16))) throw invalidOpcode(`${raw.mnemonic}: needs 64-bit mode and CR4.FSGSBASE`);
      if (store) {
        const v = op.size === 8 ? signed64(toBig(cpu.lo[op.reg], cpu.hi[op.reg])) : cpu.lo[op.reg] >>> 0;
        if (!isCanonical(v)) throw generalProtection(0, `${raw.mnemonic}: ${hex(v)} is not canonical`);
        cpu.seg[seg].base = v;
      } else {
        const b = cpu.seg[seg].base;
        const h = Math.floor(b / TWO32);
        setReg(cpu, op.reg, op.size, b - h * TWO32, h);
      }
    };
  };
}

export const msrOps: Record<string, Factory> = {
  RDMSR: rdmsr,
  WRMSR: wrmsr,
  RDFSBASE: fsgsBase(SEG_FS, false),
  RDGSBASE: fsgsBase(SEG_GS, false),
  WRFSBASE: fsgsBase(SEG_FS, true),
  WRGSBASE: fsgsBase(SEG_GS, true),
};

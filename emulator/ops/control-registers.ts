/** Control and debug registers (MOV CRn/DRn, CLTS, LMSW, SMSW) and TLB and cache maintenance (INVLPG, WBINVD, INVD). */
import type { Cpu } from '../cpu/state.ts';
import { CR0_PE, CR0_PG, CR4_DE, CR4_PAE, EFER_LMA, EFER_LME } from '../arch/control-registers.ts';
import { generalProtection, hex, invalidOpcode } from '../arch/faults.ts';
import { OP_CR, OP_DR, OP_REG } from '../cpu/insn.ts';
import { addressOf, setReg, type Factory } from './operands.ts';
import { checkUmip, privilegedNop, requireCpl0, signed64, toBig } from './privilege.ts';

const CR0_RESERVED_HI = true;
const CR4_KNOWN = 0x3f | (1 << 7) | (1 << 8) | (1 << 9) | (1 << 10) | (1 << 11) | (1 << 16) | (1 << 18) | (1 << 20) | (1 << 21);

function writeCr(cpu: Cpu, n: number, value: bigint): void {
  const v32 = Number(value & 0xffffffffn);
  switch (n) {
    case 0: {
      if (CR0_RESERVED_HI && value >> 32n !== 0n) throw generalProtection(0, `MOV CR0: bits 63:32 of ${hex(value)} are reserved`);
      if (v32 & CR0_PG && !(v32 & CR0_PE)) throw generalProtection(0, 'MOV CR0: PG set without PE');
      if (v32 & (1 << 29) && !(v32 & (1 << 30))) throw generalProtection(0, 'MOV CR0: NW set without CD');
      if (cpu.longMode && !(v32 & CR0_PG)) throw generalProtection(0, 'MOV CR0: clearing PG in IA-32e mode');
      if (v32 & CR0_PG && !(cpu.cr0 & CR0_PG) && cpu.efer & EFER_LME) {
        if (!(cpu.cr4 & CR4_PAE)) throw generalProtection(0, 'MOV CR0: enabling paging with EFER.LME needs CR4.PAE');
        cpu.efer |= EFER_LMA;
      }
      if (!(v32 & CR0_PG)) cpu.efer &= ~EFER_LMA;
      cpu.cr0 = (v32 | 0x10) >>> 0;
      break;
    }
    case 2:
      cpu.cr2 = signed64(value);
      return;
    case 3:
      if (cpu.longMode && value >> 52n !== 0n) throw generalProtection(0, `MOV CR3: reserved bits set in ${hex(value)}`);
      cpu.cr3 = Number(cpu.longMode ? value : value & 0xffffffffn);
      break;
    case 4: {
      if (value >> 32n !== 0n || v32 & ~CR4_KNOWN) throw generalProtection(0, `MOV CR4: reserved bits set in ${hex(value)}`);
      if (cpu.longMode && !(v32 & CR4_PAE)) throw generalProtection(0, 'MOV CR4: clearing PAE in IA-32e mode');
      cpu.cr4 = v32;
      break;
    }
    case 8:
      if (value >> 4n !== 0n) throw generalProtection(0, `MOV CR8: reserved bits set in ${hex(value)}`);
      cpu.cr8 = v32;
      return;
    default:
      throw invalidOpcode(`MOV: CR${n} does not exist`);
  }
  cpu.updateMode();
  cpu.mem.flush();
}

function readCr(cpu: Cpu, n: number): bigint {
  switch (n) {
    case 0: return BigInt(cpu.cr0 >>> 0);
    case 2: return BigInt.asUintN(64, BigInt(cpu.cr2));
    case 3: return BigInt(cpu.cr3);
    case 4: return BigInt(cpu.cr4 >>> 0);
    case 8: return BigInt(cpu.cr8);
    default: throw invalidOpcode(`MOV: CR${n} does not exist`);
  }
}

/** MOV to/from CRn and DRn (decoded as MOV with a control or debug register operand). */

/**
 * DR0-DR3 hold linear addresses (kept sign-extended like every linear address); DR6 and DR7 keep
 * their fixed bits (SDM Vol. 3B, 17.2.3-17.2.4). Enabled execute breakpoints are listed for the run loop.
 */
function writeDr(cpu: Cpu, n: number, v: bigint): void {
  if (n < 4) cpu.dr[n] = Number(BigInt.asIntN(64, v));
  else if (n === 6) cpu.dr[6] = (Number(v & 0xe00fn) | 0xffff0ff0) >>> 0;
  else cpu.dr[7] = (Number(v & 0xffff2bffn) | 0x400) >>> 0;
  const bps: number[] = [];
  const dr7 = cpu.dr[7];
  for (let k = 0; k < 4; k++) if ((dr7 >>> (2 * k)) & 3 && ((dr7 >>> (16 + 4 * k)) & 3) === 0) bps.push(k);
  cpu.codeBreakpoints = bps;
  cpu.attention = true;
}

export const movControl: Factory = (raw) => {
  const [d, s] = raw.ops;
  const toCr = d.kind === OP_CR || d.kind === OP_DR;
  const creg = toCr ? d : s;
  const gpr = toCr ? s : d;
  const isDebug = creg.kind === OP_DR;
  return (cpu) => {
    requireCpl0(cpu, `MOV ${isDebug ? 'DR' : 'CR'}${creg.reg}`);
    const wide = cpu.codeBits === 64;
    let n = creg.reg & 7;
    if (isDebug && (n === 4 || n === 5)) {
      // DR4/DR5 alias DR6/DR7 unless CR4.DE makes them undefined (SDM Vol. 3B, 17.2.2).
      if (cpu.cr4 & CR4_DE) throw invalidOpcode(`MOV DR${n}: CR4.DE is set, so DR${n} does not exist`);
      n += 2;
    }
    if (toCr) {
      const v = wide ? toBig(cpu.lo[gpr.reg], cpu.hi[gpr.reg]) : BigInt(cpu.lo[gpr.reg] >>> 0);
      if (isDebug) writeDr(cpu, n, v);
      else writeCr(cpu, creg.reg, v);
    } else {
      const v = isDebug ? (n < 4 ? BigInt.asUintN(64, BigInt(cpu.dr[n])) : BigInt(cpu.dr[n] >>> 0)) : readCr(cpu, creg.reg);
      if (wide) setReg(cpu, gpr.reg, 8, Number(v & 0xffffffffn) | 0, Number(v >> 32n) | 0);
      else setReg(cpu, gpr.reg, 4, Number(v & 0xffffffffn) | 0);
    }
  };
};


export const controlRegisterOps: Record<string, Factory> = {
  INVLPG: () => (cpu, i) => {
    requireCpl0(cpu, 'INVLPG');
    // The address is not accessed (a non-present page does not fault); only its translation goes.
    if (i.mem !== null) cpu.mem.invalidatePage(cpu.ea(i.mem, 1));
  },
  CLTS: () => (cpu) => {
    requireCpl0(cpu, 'CLTS');
    cpu.cr0 &= ~8;
  },
  WBINVD: privilegedNop('WBINVD'),
  INVD: privilegedNop('INVD'),
  SMSW: (raw) => (cpu, i) => {
    checkUmip(cpu, 'SMSW');
    const op = raw.ops[0];
    if (op.kind === OP_REG) setReg(cpu, op.reg, op.size, op.size === 2 ? cpu.cr0 & 0xffff : cpu.cr0);
    else cpu.mem.write16(addressOf(cpu, i, 2), cpu.cr0 & 0xffff);
  },
  LMSW: (raw) => (cpu, i) => {
    requireCpl0(cpu, 'LMSW');
    const op = raw.ops[0];
    const v = op.kind === OP_REG ? cpu.lo[op.reg] & 0xffff : cpu.mem.read16(addressOf(cpu, i, 2));
    // LMSW sets PE but cannot clear it; it changes MP, EM, TS.
    cpu.cr0 = ((cpu.cr0 & ~0xe) | (v & 0xf) | (cpu.cr0 & 1)) >>> 0;
  },
};

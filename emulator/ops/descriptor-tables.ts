/** Loads and stores of GDTR, IDTR, LDTR and TR (LGDT, LIDT, SGDT, SIDT, LLDT, LTR, SLDT, STR). */
import type { Cpu } from '../cpu/state.ts';
import { isCanonical } from '../cpu/state.ts';
import { SEG_P, SEG_S, SEG_TYPE, SYS_LDT, SYS_TSS16_AVAILABLE, SYS_TSS_AVAILABLE } from '../arch/segments.ts';
import { generalProtection, hex, invalidOpcode, segmentNotPresent } from '../arch/faults.ts';
import { OP_MEM, type Exec } from '../cpu/insn.ts';
import { addressOf, setReg, type Factory } from './operands.ts';
import { loadHidden, nullSegment, readDescriptor } from './segments.ts';
import { TWO32 } from '../arch/registers.ts';
import { checkUmip, requireCpl0 } from './privilege.ts';

function tableLoad(which: 'gdtr' | 'idtr'): Factory {
  return (raw) => {
    if (raw.ops[0].kind !== OP_MEM) return () => { throw invalidOpcode(`${raw.mnemonic}: the operand must be memory`); };
    return (cpu, i) => {
      requireCpl0(cpu, raw.mnemonic);
      const a = addressOf(cpu, i, 10);
      const limit = cpu.mem.read16(a);
      let base: number;
      if (cpu.codeBits === 64) {
        const lo = cpu.mem.read64(a + 2);
        base = cpu.mem.hi * TWO32 + (lo >>> 0);
      } else {
        base = cpu.mem.read32(a + 2) >>> 0;
        if (raw.opSize === 2) base &= 0xffffff;
      }
      if (which === 'gdtr') {
        cpu.gdtrBase = base;
        cpu.gdtrLimit = limit;
      } else {
        cpu.idtrBase = base;
        cpu.idtrLimit = limit;
      }
    };
  };
}



function tableStore(which: 'gdtr' | 'idtr'): Factory {
  return (raw) => {
    if (raw.ops[0].kind !== OP_MEM) return () => { throw invalidOpcode(`${raw.mnemonic}: the operand must be memory`); };
    return (cpu, i) => {
      checkUmip(cpu, raw.mnemonic);
      const a = addressOf(cpu, i, 10);
      const base = which === 'gdtr' ? cpu.gdtrBase : cpu.idtrBase;
      const limit = which === 'gdtr' ? cpu.gdtrLimit : cpu.idtrLimit;
      cpu.mem.probeWrite(a, cpu.codeBits === 64 ? 10 : 6);
      cpu.mem.write16(a, limit);
      if (cpu.codeBits === 64) {
        const h = Math.floor(base / TWO32);
        cpu.mem.write64(a + 2, base - h * TWO32, h);
      } else cpu.mem.write32(a + 2, base);
    };
  };
}

function selectorOperand(cpu: Cpu, raw: Parameters<Factory>[0], i: Parameters<Exec>[1]): number {
  const op = raw.ops[0];
  if (op.kind === OP_MEM) return cpu.mem.read16(addressOf(cpu, i, 2));
  return cpu.lo[op.reg] & 0xffff;
}

/** LLDT and LTR: a system descriptor from the GDT (16 bytes in IA-32e mode). */
function loadSystem(which: 'ldtr' | 'tr'): Factory {
  return (raw) => (cpu, i) => {
    requireCpl0(cpu, raw.mnemonic);
    const sel = selectorOperand(cpu, raw, i);
    const seg = which === 'ldtr' ? cpu.ldtr : cpu.tr;
    if ((sel & 0xfffc) === 0) {
      if (which === 'tr') throw generalProtection(0, 'LTR: the selector is null');
      nullSegment(seg, sel);
      return;
    }
    const err = sel & 0xfffc;
    if (sel & 4) throw generalProtection(err, `${raw.mnemonic}: selector ${hex(sel)} refers to the LDT`);
    const d = readDescriptor(cpu, sel, raw.mnemonic, true);
    const type = d.attrs & SEG_TYPE;
    if (d.attrs & SEG_S) throw generalProtection(err, `${raw.mnemonic}: selector ${hex(sel)} names a code or data segment`);
    if (which === 'ldtr' && type !== SYS_LDT) throw generalProtection(err, `LLDT: selector ${hex(sel)} names a descriptor of type ${type}, not an LDT`);
    if (which === 'tr' && !(type === SYS_TSS_AVAILABLE || (!cpu.longMode && type === SYS_TSS16_AVAILABLE))) {
      throw generalProtection(err, `LTR: selector ${hex(sel)} names a descriptor of type ${type}, not an available TSS`);
    }
    if (cpu.longMode && d.base !== 0 && !isCanonical(d.base)) throw generalProtection(err, `${raw.mnemonic}: base ${hex(d.base)} is not canonical`);
    if ((d.attrs & SEG_P) === 0) throw segmentNotPresent(err, `${raw.mnemonic}: selector ${hex(sel)} is not present`);
    if (which === 'tr') {
      cpu.mem.writeAs(d.at + 5, 1, cpu.mem.readAs(d.at + 5, 1, false) | 2, 0, false);
      d.attrs |= 2;
    }
    loadHidden(seg, sel, d);
  };
}

function storeSelector(which: 'ldtr' | 'tr'): Factory {
  return (raw) => {
    const op = raw.ops[0];
    return (cpu, i) => {
      checkUmip(cpu, raw.mnemonic);
      const sel = (which === 'ldtr' ? cpu.ldtr : cpu.tr).selector;
      if (op.kind === OP_MEM) cpu.mem.write16(addressOf(cpu, i, 2), sel);
      else setReg(cpu, op.reg, op.size === 8 ? 4 : op.size, sel);
    };
  };
}


export const descriptorTableOps: Record<string, Factory> = {
  LGDT: tableLoad('gdtr'),
  LIDT: tableLoad('idtr'),
  SGDT: tableStore('gdtr'),
  SIDT: tableStore('idtr'),
  LLDT: loadSystem('ldtr'),
  LTR: loadSystem('tr'),
  SLDT: storeSelector('ldtr'),
  STR: storeSelector('tr'),
};

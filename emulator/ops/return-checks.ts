/**
 * The checks IRET and far RET share on their way back (SDM Vol. 2A IRET and Vol. 2B RET,
 * "RETURN-FROM-PROTECTED-MODE" / "IA-32E-MODE-RETURN"): the return CS, and on a return to an outer
 * level the data segment registers the new CPL may not use.
 */
import { generalProtection, hex, segmentNotPresent } from '../arch/faults.ts';
import { SEG_CODE, SEG_CONFORMING, SEG_DB, SEG_DPL_SHIFT, SEG_DS, SEG_ES, SEG_FS, SEG_GS, SEG_L, SEG_P, SEG_S, SEG_UNUSABLE } from '../arch/segments.ts';
import type { Cpu } from '../cpu/state.ts';
import { nullForOuterLevel, readDescriptor, type Descriptor } from './segments.ts';

/**
 * Checks the return CS and returns its descriptor. In IA-32e mode a code segment with both L and D
 * set is reserved: far RET checks it right after the descriptor type, IRET after presence.
 */
export function checkReturnCode(cpu: Cpu, sel: number, what: string, order: 'iret' | 'ret'): Descriptor {
  if ((sel & 0xfffc) === 0) throw generalProtection(0, `${what}: the return CS is null`);
  const d = readDescriptor(cpu, sel, what, false, ': return CS');
  const err = sel & 0xfffc;
  const rpl = sel & 3;
  const dpl = (d.attrs >> SEG_DPL_SHIFT) & 3;
  if ((d.attrs & SEG_S) === 0 || (d.attrs & SEG_CODE) === 0) throw generalProtection(err, `${what}: return CS ${hex(sel)} is not a code segment`);
  if (order === 'ret') checkReservedLd(cpu, d, sel, what);
  if (rpl < cpu.cpl) throw generalProtection(err, `${what}: return CS ${hex(sel)} has RPL ${rpl}, below CPL ${cpu.cpl}`);
  const conforming = (d.attrs & SEG_CONFORMING) !== 0;
  if (conforming && dpl > rpl) throw generalProtection(err, `${what}: conforming return CS ${hex(sel)} has DPL ${dpl} above its RPL ${rpl}`);
  if (!conforming && dpl !== rpl) throw generalProtection(err, `${what}: return CS ${hex(sel)} has DPL ${dpl} but RPL ${rpl}`);
  if ((d.attrs & SEG_P) === 0) throw segmentNotPresent(err, `${what}: return CS ${hex(sel)} is not present`);
  if (order === 'iret') checkReservedLd(cpu, d, sel, what);
  return d;
}

function checkReservedLd(cpu: Cpu, d: Descriptor, sel: number, what: string): void {
  if (cpu.longMode && d.attrs & SEG_L && d.attrs & SEG_DB) throw generalProtection(sel & 0xfffc, `${what}: return CS ${hex(sel)} has both L and D set`);
}

/** On a return to an outer level, data segment registers the new CPL may not use are nulled (SDM IRET and RET, RETURN-TO-OUTER-PRIVILEGE-LEVEL). */
export function nullInaccessibleDataSegments(cpu: Cpu, newCpl: number): void {
  for (const s of [SEG_ES, SEG_DS, SEG_FS, SEG_GS]) {
    const seg = cpu.seg[s];
    if ((seg.selector & 0xfffc) === 0 || seg.attrs & SEG_UNUSABLE) continue;
    const dpl = (seg.attrs >> SEG_DPL_SHIFT) & 3;
    const conformingCode = (seg.attrs & (SEG_CODE | SEG_CONFORMING)) === (SEG_CODE | SEG_CONFORMING);
    if (dpl < newCpl && !conformingCode) nullForOuterLevel(cpu, s);
  }
}


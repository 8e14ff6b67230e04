/**
 * Hardware task switching with 32-bit TSSs (Intel SDM Vol. 3A, chapter 7): JMP or CALL to a TSS
 * descriptor or a task gate, interrupts and exceptions through a task gate, and IRET with NT set
 * back to the previous task. IA-32e mode has no task switching (#GP, SDM 7.7); 16-bit TSSs and
 * virtual-8086 tasks are not modelled.
 */
import { CpuFault, generalProtection, hex, invalidTss, NotModelled, segmentNotPresent, stackFault, Vector } from '../arch/faults.ts';
import { FIXED1, NT, VM } from '../arch/rflags.ts';
import { type Cpu } from '../cpu/state.ts';
import { CR0_PG, CR0_TS } from '../arch/control-registers.ts';
import { SEG_CODE, SEG_CONFORMING, SEG_CS, SEG_DPL_SHIFT, SEG_P, SEG_RW, SEG_S, SEG_SS, SEG_TYPE, SEG_UNUSABLE, SYS_LDT, SYS_TSS_BUSY } from '../arch/segments.ts';
import { loadHidden, markAccessed, nullSegment, readDescriptor, type Descriptor } from './segments.ts';

export type TaskSwitchSource = 'JMP' | 'CALL' | 'IRET' | 'INT';

/** The smallest limit of a 32-bit TSS (SDM 7.2.2). */
const TSS32_MIN_LIMIT = 0x67;
const TSS_BUSY = 2;
/** TSS field offsets (SDM Figure 7-2). */
const LINK = 0x00;
const CR3 = 0x1c;
const EIP = 0x20;
const EFLAGS = 0x24;
const EAX = 0x28;
const ES = 0x48;
const LDT = 0x60;
const T_FLAG = 0x64;
/** DR6.BT: the #DB came from a task switch into a TSS with T set. */
const DR6_BT = 1 << 15;
const SEG_ORDER = [0, 1, 2, 3, 4, 5]; // ES CS SS DS FS GS, as the TSS stores them

const read32 = (cpu: Cpu, at: number): number => cpu.mem.readAs(at, 4, false) >>> 0;
const read16 = (cpu: Cpu, at: number): number => cpu.mem.readAs(at, 2, false) & 0xffff;
const write = (cpu: Cpu, at: number, size: number, v: number): void => cpu.mem.writeAs(at, size, v | 0, 0, false);

function setBusy(cpu: Cpu, d: Descriptor, busy: boolean): void {
  const b = cpu.mem.readAs(d.at + 5, 1, false) & 0xff;
  write(cpu, d.at + 5, 1, busy ? b | TSS_BUSY : b & ~TSS_BUSY);
}

/**
 * JMP/CALL far whose selector names a TSS or a task gate: does the task switch and returns true;
 * returns false for any other descriptor (the caller goes on with code segments and call gates).
 */
export function farTaskSwitch(cpu: Cpu, sel: number, source: 'JMP' | 'CALL'): boolean {
  if ((sel & 0xfffc) === 0) return false;
  const what = `${source} far`;
  const d = readDescriptor(cpu, sel, `${what}: selector ${hex(sel)}`);
  const type = d.attrs & SEG_TYPE;
  if (d.attrs & SEG_S || ![1, 3, 5, 9, 11].includes(type)) return false;
  const err = sel & 0xfffc;
  const kind = type === 5 ? 'task gate' : 'TSS';
  if (cpu.longMode) throw generalProtection(err, `${what}: selector ${hex(sel)} names a ${kind} (type ${type}); IA-32e mode has no task switching`);
  const dpl = (d.attrs >> SEG_DPL_SHIFT) & 3;
  const rpl = sel & 3;
  if (dpl < Math.max(cpu.cpl, rpl)) throw generalProtection(err, `${what}: the ${kind} ${hex(sel)} has DPL ${dpl}, below CPL ${cpu.cpl} or RPL ${rpl}`);
  let tssSel = sel;
  let tss = d;
  if (type === 5) {
    if ((d.attrs & SEG_P) === 0) throw segmentNotPresent(err, `${what}: the task gate ${hex(sel)} is not present`);
    tssSel = read16(cpu, d.at + 2);
    tss = tssThroughGate(cpu, tssSel, what, 0, generalProtection);
  }
  switchTask(cpu, tssSel, tss, source, 0);
  return true;
}

/** The TSS a task gate names: in the GDT, of TSS type, else `fail(selector)` (#GP for JMP/CALL, #TS for events). */
export function tssThroughGate(cpu: Cpu, tssSel: number, what: string, ext: number, fail: (code: number, reason: string) => CpuFault): Descriptor {
  const err = (tssSel & 0xfffc) | ext;
  if (tssSel & 4) throw fail(err, `${what}: the task gate's TSS selector ${hex(tssSel)} refers to the LDT`);
  let d: Descriptor;
  try {
    d = readDescriptor(cpu, tssSel, `${what}: the task gate's TSS selector ${hex(tssSel)}`);
  } catch (e) {
    throw e instanceof CpuFault ? fail(err, e.reason) : e;
  }
  const type = d.attrs & SEG_TYPE;
  if (d.attrs & SEG_S || ![1, 3, 9, 11].includes(type)) throw fail(err, `${what}: the task gate's selector ${hex(tssSel)} does not name a TSS (type ${type})`);
  return d;
}

/** IRET with NT set: back to the task in the current TSS's back link (SDM IRET, TASK-RETURN). */
export function taskReturn(cpu: Cpu): void {
  const link = read16(cpu, cpu.tr.base + LINK);
  const err = link & 0xfffc;
  if (link & 4) throw invalidTss(err, `IRET: the back link ${hex(link)} refers to the LDT`);
  let d: Descriptor;
  try {
    d = readDescriptor(cpu, link, `IRET: the back link ${hex(link)}`);
  } catch (e) {
    throw e instanceof CpuFault ? invalidTss(err, e.reason) : e;
  }
  if (d.attrs & SEG_S || (d.attrs & SEG_TYPE) !== SYS_TSS_BUSY) throw invalidTss(err, `IRET: the back link ${hex(link)} does not name a busy 32-bit TSS (type ${d.attrs & 0xf})`);
  switchTask(cpu, link, d, 'IRET', 0);
}

/**
 * The task switch itself (SDM 7.3): checks the new TSS, saves the current task into its TSS,
 * updates busy bits, back link and NT, loads TR (CR0.TS set), then the new task's CR3, LDTR,
 * EFLAGS, registers and segments. A fault while loading the new task's segments is raised in
 * the new task's context (its EIP), after the switch has completed.
 */
export function switchTask(cpu: Cpu, sel: number, d: Descriptor, source: TaskSwitchSource, ext: number, savedFlags = cpu.flags): void {
  const err = (sel & 0xfffc) | ext;
  const type = d.attrs & SEG_TYPE;
  const what = `task switch (${source}) to TSS ${hex(sel)}`;
  if (type === 1 || type === 3) throw new NotModelled(`${what}: 16-bit TSSs are not modelled by this CPU`);
  if ((d.attrs & SEG_P) === 0) throw segmentNotPresent(err, `${what}: the TSS descriptor is not present`);
  if (d.limit < TSS32_MIN_LIMIT) throw invalidTss(err, `${what}: the TSS limit ${hex(d.limit)} is below ${hex(TSS32_MIN_LIMIT)}`);
  if (source === 'IRET') {
    if (type !== SYS_TSS_BUSY) throw invalidTss(err, `${what}: the TSS is not busy (IRET returns only to a busy task)`);
  } else if (type === SYS_TSS_BUSY) throw generalProtection(err, `${what}: the TSS is busy (a task cannot be entered recursively)`);
  const old = cpu.tr;
  const oldSel = old.selector;
  if (old.attrs & SEG_UNUSABLE || old.limit < TSS32_MIN_LIMIT) throw invalidTss((oldSel & 0xfffc) | ext, `${what}: the current TSS (TR ${hex(oldSel)}, limit ${hex(old.limit)}) cannot hold the current task's state`);
  const base = d.base;
  const newFlags = read32(cpu, base + EFLAGS);
  if (newFlags & VM) throw new NotModelled(`${what}: the new task is a virtual-8086 task, not modelled by this CPU`);

  // Save the current task (EIP is where it resumes: after JMP/CALL/IRET/INT n, at a faulting instruction).
  const flags = source === 'IRET' ? savedFlags & ~NT : savedFlags;
  write(cpu, old.base + EIP, 4, cpu.rip);
  write(cpu, old.base + EFLAGS, 4, flags);
  for (let r = 0; r < 8; r++) write(cpu, old.base + EAX + 4 * r, 4, cpu.lo[r]);
  for (const s of SEG_ORDER) write(cpu, old.base + ES + 4 * s, 2, cpu.seg[s].selector);
  if (source === 'JMP' || source === 'IRET') {
    const oldDesc = readDescriptor(cpu, oldSel, `${what}: the current TSS ${hex(oldSel)}`);
    setBusy(cpu, oldDesc, false);
  }
  const nested = source === 'CALL' || source === 'INT';
  if (nested) write(cpu, base + LINK, 2, oldSel);
  if (source !== 'IRET') setBusy(cpu, d, true);

  // Commit: TR, CR0.TS, then the new task's state.
  const tr = cpu.tr;
  tr.selector = sel;
  tr.base = base;
  tr.limit = d.limit;
  tr.attrs = (d.attrs & ~0xf) | 11;
  cpu.cr0 |= CR0_TS;
  if (cpu.cr0 & CR0_PG) {
    cpu.cr3 = read32(cpu, base + CR3) & ~0xfff;
    cpu.mem.flush();
  }
  cpu.flags = ((nested ? newFlags | NT : newFlags) & 0x3f7fd5) | FIXED1;
  cpu.rip = read32(cpu, base + EIP);
  for (let r = 0; r < 8; r++) {
    cpu.lo[r] = read32(cpu, base + EAX + 4 * r) | 0;
    cpu.hi[r] = 0;
  }
  const selectors = SEG_ORDER.map((s) => read16(cpu, base + ES + 4 * s));
  const ldt = read16(cpu, base + LDT);
  // Until their descriptors load, the new task's segment registers hold only the selectors.
  for (const s of SEG_ORDER) nullSegment(cpu.seg[s], selectors[s]);
  nullSegment(cpu.ldtr, ldt);
  const debugTrap = (read16(cpu, base + T_FLAG) & 1) !== 0;
  try {
    loadNewTask(cpu, selectors, ldt, ext);
  } catch (e) {
    if (!(e instanceof CpuFault)) throw e;
    cpu.updateMode();
    // Raised in the new task: its EIP stays, as for a trap.
    const inNewTask = new CpuFault(e.vector, `${what}: ${e.reason}`, e.errorCode, undefined, true, 'exception');
    inNewTask.at = cpu.rip;
    throw inNewTask;
  }
  // The new TSS's T flag: a #DB (DR6.BT) before the new task's first instruction (SDM Vol. 3B, 17.3.1.5).
  // Taken for JMP, CALL and IRET; a switch made by an event delivery does not raise it.
  if (debugTrap && source !== 'INT') {
    cpu.dr[6] |= DR6_BT;
    throw new CpuFault(Vector.DB, `${what}: the new TSS's T flag is set (debug trap on task switch)`, undefined, undefined, true, 'debug-trap');
  }
}

/** The new task's LDTR and segment registers, with the #TS/#NP/#SS checks of SDM 7.3 (step 13 and Table 7-1). */
function loadNewTask(cpu: Cpu, selectors: number[], ldt: number, ext: number): void {
  if (ldt & 0xfffc) {
    const err = (ldt & 0xfffc) | ext;
    if (ldt & 4) throw invalidTss(err, `the LDT selector ${hex(ldt)} refers to the LDT`);
    const d = descriptorOrTs(cpu, ldt, 'LDT', ext);
    if (d.attrs & SEG_S || (d.attrs & SEG_TYPE) !== SYS_LDT) throw invalidTss(err, `the LDT selector ${hex(ldt)} does not name an LDT descriptor`);
    if ((d.attrs & SEG_P) === 0) throw invalidTss(err, `the LDT ${hex(ldt)} is not present`);
    Object.assign(cpu.ldtr, { selector: ldt, base: d.base, limit: d.limit, attrs: d.attrs });
  }
  const csSel = selectors[SEG_CS];
  const cpl = csSel & 3;
  const cs = descriptorOrTs(cpu, csSel, 'CS', ext);
  const csErr = (csSel & 0xfffc) | ext;
  const csDpl = (cs.attrs >> SEG_DPL_SHIFT) & 3;
  if ((cs.attrs & SEG_S) === 0 || (cs.attrs & SEG_CODE) === 0) throw invalidTss(csErr, `CS ${hex(csSel)} is not a code segment`);
  if (cs.attrs & SEG_CONFORMING ? csDpl > cpl : csDpl !== cpl) throw invalidTss(csErr, `CS ${hex(csSel)} has DPL ${csDpl}, which does not fit its RPL ${cpl}`);
  if ((cs.attrs & SEG_P) === 0) throw segmentNotPresent(csErr, `CS ${hex(csSel)} is not present`);
  const ssSel = selectors[SEG_SS];
  const ss = descriptorOrTs(cpu, ssSel, 'SS', ext);
  const ssErr = (ssSel & 0xfffc) | ext;
  const ssDpl = (ss.attrs >> SEG_DPL_SHIFT) & 3;
  if ((ss.attrs & SEG_S) === 0 || ss.attrs & SEG_CODE || (ss.attrs & SEG_RW) === 0) throw invalidTss(ssErr, `SS ${hex(ssSel)} is not a writable data segment`);
  if ((ssSel & 3) !== cpl || ssDpl !== cpl) throw invalidTss(ssErr, `SS ${hex(ssSel)} has RPL ${ssSel & 3} and DPL ${ssDpl}; the new CPL is ${cpl}`);
  if ((ss.attrs & SEG_P) === 0) throw stackFault(ssErr, `SS ${hex(ssSel)} is not present`);
  markAccessed(cpu, cs);
  markAccessed(cpu, ss);
  loadHidden(cpu.seg[SEG_CS], csSel, cs);
  loadHidden(cpu.seg[SEG_SS], ssSel, ss);
  cpu.updateMode();
  for (const s of [0, 3, 4, 5]) {
    const sel = selectors[s];
    if ((sel & 0xfffc) === 0) continue;
    const name = ['ES', '', '', 'DS', 'FS', 'GS'][s];
    const d = descriptorOrTs(cpu, sel, name, ext);
    const err = (sel & 0xfffc) | ext;
    const code = (d.attrs & SEG_CODE) !== 0;
    const dpl = (d.attrs >> SEG_DPL_SHIFT) & 3;
    if ((d.attrs & SEG_S) === 0 || (code && (d.attrs & SEG_RW) === 0)) throw invalidTss(err, `${name} ${hex(sel)} is neither a data segment nor a readable code segment`);
    if (!(code && d.attrs & SEG_CONFORMING) && (dpl < cpl || dpl < (sel & 3))) throw invalidTss(err, `${name} ${hex(sel)} has DPL ${dpl}, below CPL ${cpl} or its RPL ${sel & 3}`);
    if ((d.attrs & SEG_P) === 0) throw segmentNotPresent(err, `${name} ${hex(sel)} is not present`);
    markAccessed(cpu, d);
    loadHidden(cpu.seg[s], sel, d);
  }
}

function descriptorOrTs(cpu: Cpu, sel: number, name: string, ext: number): Descriptor {
  const err = (sel & 0xfffc) | ext;
  if ((sel & 0xfffc) === 0) throw invalidTss(err, `the new task's ${name} selector is null`);
  try {
    return readDescriptor(cpu, sel, `the new task's ${name} ${hex(sel)}`);
  } catch (e) {
    throw e instanceof CpuFault ? invalidTss(err, e.reason) : e;
  }
}

/**
 * Watches a recording as it is made: produces the event log and the debugging checks' warnings.
 * `before` runs at each recorded position before its attempt; `finish` runs once the attempt is
 * over (at the next position, or when the run stops) and compares the system state before and
 * after. Exceptions come from the run loop's exception observer.
 */
import type { CpuFault } from '../arch/faults.ts';
import { TWO32 } from '../arch/registers.ts';
import { IF } from '../arch/rflags.ts';
import type { Cpu } from '../cpu/state.ts';
import { OP_CR, OP_REG, type Insn } from '../cpu/insn.ts';
import type { Machine } from '../machine.ts';
import { ACCESS_READ } from '../memory/linear.ts';
import {
  CALLEE_SAVED_32, CALLEE_SAVED_64, DEFAULT_CHECKS, REG_NAMES_32, REG_NAMES_64, inspectIretFrame, type CheckId, type Warning,
} from './checks.ts';
import type { ChainEntry, DebugEvent, ExceptionEvent, StackSource } from './events.ts';
import type { SourceMap } from './source-map.ts';

interface SysState {
  cpl: number;
  cr3: number;
  gdtrBase: number;
  gdtrLimit: number;
  idtrBase: number;
  idtrLimit: number;
  ldtr: number;
  ldtrBase: number;
  tr: number;
  trBase: number;
  trLimit: number;
  gsBase: number;
}

interface Pending {
  position: number;
  rip: number;
  insn: Insn | null;
  sys: SysState;
  faulted: boolean;
  writes: number[];
}

interface CallFrame {
  position: number;
  rip: number;
  returnAddress: number;
  /** The stack pointer before CALL pushed its return address. */
  sp: number;
  width: number;
  saved: bigint[];
  regs: number[];
  /** RSP was loaded (MOV, XCHG, POP to RSP...) since the call: a RET elsewhere is a stack switch, not an imbalance. */
  switched: boolean;
}

/** Instructions that replace RSP outright (a stack switch), as opposed to adjusting it. */
const RSP_LOADS = new Set(['MOV', 'XCHG', 'POP', 'LSS', 'CMOVA', 'CMOVAE', 'CMOVB', 'CMOVBE', 'CMOVE', 'CMOVNE', 'CMOVG', 'CMOVGE', 'CMOVL', 'CMOVLE']);

interface HandlerFrame {
  vector: number;
  name: string;
  hasErrorCode: boolean;
  /** The stack pointer right after delivery. */
  sp: number;
  width: number;
  /** RSP was loaded since delivery: an IRET elsewhere belongs to another context. */
  switched: boolean;
}

const RED_ZONE = 128;
const NEAR_STACK = 4096;

function newSysState(): SysState {
  return { cpl: 0, cr3: 0, gdtrBase: 0, gdtrLimit: 0, idtrBase: 0, idtrLimit: 0, ldtr: 0, ldtrBase: 0, tr: 0, trBase: 0, trLimit: 0, gsBase: 0 };
}

/** Copies the system registers into `s` (reused: this runs before every recorded instruction). */
function fillSysState(cpu: Cpu, s: SysState): SysState {
  s.cpl = cpu.cpl;
  s.cr3 = cpu.cr3;
  s.gdtrBase = cpu.gdtrBase;
  s.gdtrLimit = cpu.gdtrLimit;
  s.idtrBase = cpu.idtrBase;
  s.idtrLimit = cpu.idtrLimit;
  s.ldtr = cpu.ldtr.selector;
  s.ldtrBase = cpu.ldtr.base;
  s.tr = cpu.tr.selector;
  s.trBase = cpu.tr.base;
  s.trLimit = cpu.tr.limit;
  s.gsBase = cpu.seg[5].base;
  return s;
}

function sameSysState(a: SysState, b: SysState): boolean {
  return a.cpl === b.cpl && a.cr3 === b.cr3 && a.gdtrBase === b.gdtrBase && a.gdtrLimit === b.gdtrLimit && a.idtrBase === b.idtrBase &&
    a.idtrLimit === b.idtrLimit && a.ldtr === b.ldtr && a.ldtrBase === b.ldtrBase && a.tr === b.tr && a.trBase === b.trBase &&
    a.trLimit === b.trLimit && a.gsBase === b.gsBase;
}

function chainEntry(f: CpuFault): ChainEntry {
  const c: ChainEntry = { vector: f.vector, name: f.name, rip: BigInt.asUintN(64, f.rip), message: f.message };
  if (f.errorCode !== undefined) c.errorCode = f.errorCode;
  return c;
}

const big = (n: number): bigint => BigInt.asUintN(64, BigInt(Math.trunc(n)));
const hexs = (n: number): string => `0x${big(n).toString(16)}`;

export class Analyzer {
  readonly events: DebugEvent[] = [];
  readonly warnings: Warning[] = [];
  readonly enabled: Record<CheckId, boolean> = { ...DEFAULT_CHECKS };
  private pending: Pending | null = null;
  /** The one Pending object, reused for every attempt. */
  private readonly slot: Pending = { position: -1, rip: 0, insn: null, sys: newSysState(), faulted: false, writes: [] };
  private readonly now = newSysState();
  private readonly warned = new Map<string, Warning>();
  private frames: CallFrame[] = [];
  private handlers: HandlerFrame[] = [];
  private chain: CpuFault[] = [];
  private gsParity = 0;
  /** The SWAPGS parity when ring 3 was last left; null until it has been (a kernel that starts in ring 0 sets GS up as it likes). */
  private userParity: number | null = null;
  /** Physical ranges [start, end) of the GDT, IDT and TSS, refreshed when their registers change. */
  private tables: { table: 'gdt' | 'idt' | 'tss'; start: number; end: number; base: number }[] = [];

  /**
   * `look` runs the analyzer's own reads of the machine (the recorder's `quietly`, which undoes any
   * accessed bit a page walk sets for them); by default they run as they are.
   */
  constructor(
    private readonly machine: Machine,
    private readonly sources: SourceMap | null,
    private readonly look: <T>(read: () => T) => T = (read) => read(),
  ) {
    this.refreshTables();
  }

  /** Forgets the analysis state (after the history was reset); the logs stay. */
  resetState(): void {
    this.pending = null;
    this.frames = [];
    this.handlers = [];
    this.chain = [];
    this.gsParity = 0;
    this.userParity = null;
    this.refreshTables();
  }

  /** Drops events and warnings at or after `position` (the history from there was discarded). */
  truncate(position: number): void {
    const keepE = this.events.filter((e) => e.position < position);
    this.events.splice(0, this.events.length, ...keepE);
    const keepW = this.warnings.filter((w) => w.position < position);
    this.warnings.splice(0, this.warnings.length, ...keepW);
    this.warned.clear();
    for (const w of keepW) this.warned.set(`${w.check}@${Number(BigInt.asIntN(64, w.rip))}`, w);
  }

  private warn(check: CheckId, position: number, rip: number, message: string): void {
    if (!this.enabled[check]) return;
    // One warning per check and instruction: a loop repeating the mistake counts instead of flooding.
    const key = `${check}@${rip}`;
    const seen = this.warned.get(key);
    if (seen) {
      seen.repeats = (seen.repeats ?? 0) + 1;
      return;
    }
    const w: Warning = { check, position, rip: big(rip), message };
    const line = this.sources?.line(rip);
    if (line !== undefined) w.line = line;
    this.warnings.push(w);
    this.warned.set(key, w);
  }

  private refreshTables(): void {
    this.look(() => this.findTables());
  }

  private findTables(): void {
    const cpu = this.machine.cpu;
    const ranges: typeof this.tables = [];
    const add = (table: 'gdt' | 'idt' | 'tss', base: number, limit: number) => {
      if (limit <= 0) return;
      try {
        const start = cpu.mem.physical(base, ACCESS_READ);
        ranges.push({ table, start, end: start + limit + 1, base });
      } catch {
        // Not mapped now: writes to it cannot be attributed.
      }
    };
    // The reset values (base 0, limit 0xffff) mean "no table loaded".
    if (!(cpu.gdtrBase === 0 && cpu.gdtrLimit === 0xffff)) add('gdt', cpu.gdtrBase, cpu.gdtrLimit);
    if (!(cpu.idtrBase === 0 && cpu.idtrLimit === 0xffff)) add('idt', cpu.idtrBase, cpu.idtrLimit);
    if ((cpu.tr.selector & 0xfffc) !== 0) add('tss', cpu.tr.base, cpu.tr.limit);
    this.tables = ranges;
  }

  before(position: number): void {
    const m = this.machine;
    const cpu = m.cpu;
    let insn: Insn | null = null;
    try {
      insn = m.cache.fetch(cpu, cpu.rip);
    } catch {
      // The attempt itself will raise the fetch fault.
    }
    const slot = this.slot;
    slot.position = position;
    slot.rip = cpu.rip;
    slot.insn = insn;
    fillSysState(cpu, slot.sys);
    slot.faulted = false;
    if (slot.writes.length !== 0) slot.writes.length = 0;
    this.pending = slot;
    if (insn === null) return;
    const mn = insn.mnemonic;
    const op0 = insn.ops[0];
    if (op0 !== undefined && op0.kind === OP_REG && op0.reg === 4 && op0.size >= 4 && RSP_LOADS.has(mn)) {
      for (const f of this.frames) f.switched = true;
      for (const h of this.handlers) h.switched = true;
    }
    if (mn === 'CALL' && !/^Call_(ptr|m16)/.test(insn.form)) this.onCall(position, insn);
    else if (mn === 'RET') this.onRet(position);
    else if (mn.startsWith('IRET')) this.onIret(position, insn);
    else if (mn.startsWith('SYSRET')) this.onSysret(position);
  }

  private width(): number {
    return this.machine.cpu.stackBits === 64 ? 8 : this.machine.cpu.stackBits === 32 ? 4 : 2;
  }

  private onCall(position: number, insn: Insn): void {
    const cpu = this.machine.cpu;
    const sp = cpu.sp();
    const is64 = cpu.codeBits === 64;
    const regs = is64 ? CALLEE_SAVED_64 : CALLEE_SAVED_32;
    this.frames.push({
      position, rip: cpu.rip, returnAddress: cpu.rip + insn.length, sp, width: this.width(),
      saved: regs.map((r) => (is64 ? cpu.getGpr(r) : BigInt(cpu.lo[r] >>> 0))), regs, switched: false,
    });
    if (this.frames.length > 4096) this.frames.shift();
    // With a listing, only the learner's own calls (a harness may misalign the stack on purpose).
    const mine = this.sources === null || this.sources.line(cpu.rip) !== undefined;
    if (is64 && mine && sp % 16 !== 0) {
      this.warn('call-misaligned', position, cpu.rip, `CALL with RSP = ${hexs(sp)}, which is ${((sp % 16) + 16) % 16} bytes off a multiple of 16 (System V requires RSP % 16 == 0 before CALL)`);
    }
  }

  private onRet(position: number): void {
    const cpu = this.machine.cpu;
    const frame = this.frames[this.frames.length - 1];
    if (!frame) return;
    const sp = cpu.sp();
    const expected = frame.sp - frame.width;
    if (sp === expected) {
      this.frames.pop();
      const is64 = cpu.codeBits === 64;
      const names = is64 ? REG_NAMES_64 : REG_NAMES_32;
      const changed = frame.regs.filter((r, i) => (is64 ? cpu.getGpr(r) : BigInt(cpu.lo[r] >>> 0)) !== frame.saved[i]);
      if (changed.length > 0) {
        const detail = changed.map((r) => `${names[r]} was 0x${frame.saved[frame.regs.indexOf(r)].toString(16)}, now 0x${(is64 ? cpu.getGpr(r) : BigInt(cpu.lo[r] >>> 0)).toString(16)}`).join('; ');
        this.warn('callee-saved-clobbered', position, cpu.rip, `RET from the function called at ${this.where(frame.rip)} changes callee-saved ${changed.map((r) => names[r]).join(', ')} (${detail})`);
      }
      return;
    }
    // A return through an outer frame (longjmp-like): unwind to it quietly.
    const outer = this.frames.findLastIndex((f) => f.sp - f.width === sp);
    if (outer >= 0) {
      this.frames.length = outer;
      return;
    }
    this.frames.pop();
    const off = sp - expected;
    // RSP was loaded since the call, or is far from the call's stack: a stack switch (context switch), not an imbalance.
    if (frame.switched || Math.abs(off) >= NEAR_STACK) return;
    const how = off < 0 ? `${-off} bytes were pushed and not popped` : `${off} bytes more were popped than pushed`;
    this.warn('stack-imbalance', position, cpu.rip, `RET with RSP = ${hexs(sp)}, but the CALL at ${this.where(frame.rip)} left its return address at ${hexs(expected)}: ${how}`);
  }

  private where(rip: number): string {
    const line = this.sources?.line(rip);
    return line === undefined ? hexs(rip) : `line ${line}`;
  }

  private onIret(position: number, insn: Insn): void {
    const cpu = this.machine.cpu;
    const width: 4 | 8 = insn.mnemonic === 'IRETQ' ? 8 : 4;
    const sp = cpu.sp();
    const handler = this.handlers.pop();
    if (handler) {
      const expected = handler.sp + (handler.hasErrorCode ? handler.width : 0);
      const off = sp - expected;
      // After a stack switch (RSP loaded, or far away) this IRET returns some other context.
      if (off !== 0 && !handler.switched && Math.abs(off) < NEAR_STACK) {
        if (handler.hasErrorCode && off === -handler.width) {
          this.warn('error-code-mismatch', position, cpu.rip, `${insn.mnemonic} with the error code ${handler.name} pushed still on the stack: pop it (add $${handler.width}, %rsp) before returning`);
        } else if (!handler.hasErrorCode && off === handler.width) {
          this.warn('error-code-mismatch', position, cpu.rip, `${insn.mnemonic} after popping an error code, but vector ${handler.vector} (${handler.name}) pushes none: the frame is off by ${handler.width} bytes`);
        } else {
          this.warn('handler-rsp-changed', position, cpu.rip, `${insn.mnemonic} with RSP = ${hexs(sp)}, but the ${handler.name} frame begins at ${hexs(expected)} (${off > 0 ? `${off} bytes too high` : `${-off} bytes too low`})`);
        }
      }
    }
    const problems = inspectIretFrame(cpu, width);
    if (problems.faults.length > 0) this.warn('iret-frame-faults', position, cpu.rip, problems.faults.join('; '));
    if (problems.targetCpl === 3 && cpu.cpl < 3) {
      if (problems.ifClearToUser) this.warn('if-clear-ring3', position, cpu.rip, `${insn.mnemonic} returns to ring 3 with IF clear in the RFLAGS image: interrupts stay disabled in user mode`);
      this.checkSwapgs(position, insn.mnemonic);
    }
  }

  private onSysret(position: number): void {
    const cpu = this.machine.cpu;
    if (cpu.cpl !== 0) return;
    if ((cpu.lo[11] & IF) === 0) this.warn('if-clear-ring3', position, cpu.rip, 'SYSRET loads RFLAGS from R11, and R11 has IF clear: interrupts stay disabled in user mode');
    this.checkSwapgs(position, 'SYSRET');
  }

  private checkSwapgs(position: number, mnemonic: string): void {
    if (!this.machine.cpu.longMode) return;
    if (this.userParity !== null && this.gsParity !== this.userParity) {
      this.warn('swapgs-unpaired', position, this.machine.cpu.rip, `${mnemonic} returns to ring 3 after an odd number of SWAPGS since ring 3 was left: user mode gets the kernel GS base`);
    }
  }

  /** A write made by the current attempt (physical address). */
  write(physical: number, size: number): void {
    const p = this.pending;
    if (p === null) return;
    if (this.handlers.length > 0) p.writes.push(physical, size);
    for (const t of this.tables) {
      if (physical < t.end && physical + size > t.start) {
        this.events.push({
          kind: 'table-write', position: p.position, rip: big(p.rip), table: t.table, address: physical, size,
          offset: physical - t.start, mnemonic: p.insn?.mnemonic ?? '?',
        });
      }
    }
  }

  raised(fault: CpuFault): void {
    this.chain.push(fault);
    if (this.pending) this.pending.faulted = true;
  }

  handled(fault: CpuFault, outcome: 'delivered' | 'stop' | 'triple-fault' | 'error'): void {
    const cpu = this.machine.cpu;
    const p = this.pending;
    const position = p?.position ?? -1;
    const chain = this.chain.length > 0 ? this.chain : [fault];
    this.chain = [];
    const first = chain[0];
    const event: ExceptionEvent = {
      kind: 'exception', position, rip: BigInt.asUintN(64, first.rip), vector: first.vector, name: first.name, message: first.message,
      origin: first.origin, outcome, cplBefore: p?.sys.cpl ?? cpu.cpl,
    };
    if (first.errorCode !== undefined) event.errorCode = first.errorCode;
    if (chain.length > 1) event.nested = chain.slice(1).map(chainEntry);
    if (outcome === 'delivered') {
      // What reached a handler: the last of the chain (a #DF when the first delivery failed).
      const delivered = chain[chain.length - 1];
      const hasErrorCode = delivered.errorCode !== undefined;
      const width = cpu.longMode ? 8 : 4;
      const sp = cpu.sp();
      const fromOuter = cpu.cpl < event.cplBefore;
      const words = (cpu.longMode || fromOuter ? 5 : 3) + (hasErrorCode ? 1 : 0);
      event.cplAfter = cpu.cpl;
      event.stackPointer = big(sp);
      event.frame = this.readWords(sp, words, width);
      event.stack = this.stackSource(sp + words * width, fromOuter);
      this.handlers.push({ vector: delivered.vector, name: delivered.name, hasErrorCode, sp, width, switched: false });
      if (this.handlers.length > 256) this.handlers.shift();
      if (event.cplBefore === 3 && cpu.cpl < 3) this.userParity = this.gsParity;
    }
    this.events.push(event);
    if (outcome === 'triple-fault') this.events.push({ kind: 'triple-fault', position, rip: event.rip, chain: chain.map(chainEntry) });
  }

  private readWords(sp: number, count: number, width: number): bigint[] {
    const cpu = this.machine.cpu;
    const out: bigint[] = [];
    try {
      for (let i = 0; i < count; i++) {
        const a = sp + i * width;
        if (width === 8) {
          const lo = cpu.mem.read64(a) >>> 0;
          out.push((BigInt(cpu.mem.hi >>> 0) << 32n) | BigInt(lo));
        } else out.push(BigInt(cpu.mem.read32(a) >>> 0));
      }
    } catch {
      // Part of the frame is unreadable now: report what was read.
    }
    return out;
  }

  /** Which TSS field the handler's stack came from: the frame's top is that field (16-byte aligned in IA-32e mode). */
  private stackSource(top: number, fromOuter: boolean): StackSource {
    const cpu = this.machine.cpu;
    if ((cpu.tr.selector & 0xfffc) === 0) return fromOuter ? 'unknown' : 'current';
    const base = cpu.tr.base;
    try {
      if (cpu.longMode) {
        const q = (off: number) => {
          const lo = cpu.mem.read32(base + off) >>> 0;
          const hi = cpu.mem.read32(base + off + 4);
          return Math.floor((hi * TWO32 + lo) / 16) * 16;
        };
        for (let k = 1; k <= 7; k++) if (q(0x24 + 8 * (k - 1)) === top) return `ist${k}` as StackSource;
        if (fromOuter) {
          for (let k = 0; k <= 2; k++) if (q(4 + 8 * k) === top) return `rsp${k}` as StackSource;
          return 'unknown';
        }
        return 'current';
      }
      if (fromOuter) {
        for (let k = 0; k <= 2; k++) if (cpu.mem.read32(base + 4 + 8 * k) >>> 0 === top) return `rsp${k}` as StackSource;
        return 'unknown';
      }
    } catch {
      return 'unknown';
    }
    return 'current';
  }

  /** Completes the analysis of the attempt started at `position - 1`, now that the machine is at `position`. */
  finish(position: number): void {
    const p = this.pending;
    if (p === null || p.position !== position - 1) return;
    this.pending = null;
    const cpu = this.machine.cpu;
    const now = fillSysState(cpu, this.now);
    const was = p.sys;
    const mn = p.insn?.mnemonic ?? '?';
    const op0 = p.insn?.ops[0];
    const cr3Write = mn === 'MOV' && op0 !== undefined && op0.kind === OP_CR && op0.reg === 3;
    // Loads of the same value are events too (a CR3 reload flushes the TLB).
    const load = cr3Write || mn === 'LGDT' || mn === 'LIDT' || mn === 'LLDT' || mn === 'LTR';
    const special = load || mn === 'SWAPGS' || mn.startsWith('IRET') || mn.startsWith('SYSRET') || mn.startsWith('SYSEXIT');
    if (!special && p.writes.length === 0 && sameSysState(now, was)) return;
    const rip = big(p.rip);
    if (now.cpl !== was.cpl) {
      this.events.push({ kind: 'privilege', position: p.position, rip, from: was.cpl, to: now.cpl, cause: p.faulted ? 'exception' : mn });
      if (was.cpl === 3 && !p.faulted) this.userParity = this.gsParity;
    }
    const done = !p.faulted;
    if (now.cr3 !== was.cr3 || (cr3Write && done)) {
      this.events.push({ kind: 'cr3-load', position: p.position, rip, mnemonic: mn, before: { base: big(was.cr3), limit: 0 }, after: { base: big(now.cr3), limit: 0 } });
    }
    let tablesChanged = now.cr3 !== was.cr3;
    if (now.gdtrBase !== was.gdtrBase || now.gdtrLimit !== was.gdtrLimit || (mn === 'LGDT' && done)) {
      this.events.push({ kind: 'gdtr-load', position: p.position, rip, mnemonic: mn, before: { base: big(was.gdtrBase), limit: was.gdtrLimit }, after: { base: big(now.gdtrBase), limit: now.gdtrLimit } });
      tablesChanged = true;
    }
    if (now.idtrBase !== was.idtrBase || now.idtrLimit !== was.idtrLimit || (mn === 'LIDT' && done)) {
      this.events.push({ kind: 'idtr-load', position: p.position, rip, mnemonic: mn, before: { base: big(was.idtrBase), limit: was.idtrLimit }, after: { base: big(now.idtrBase), limit: now.idtrLimit } });
      tablesChanged = true;
    }
    if (now.ldtr !== was.ldtr || now.ldtrBase !== was.ldtrBase || (mn === 'LLDT' && done)) {
      this.events.push({ kind: 'ldtr-load', position: p.position, rip, mnemonic: mn, before: { base: big(was.ldtrBase), limit: 0, selector: was.ldtr }, after: { base: big(now.ldtrBase), limit: 0, selector: now.ldtr } });
    }
    if (now.tr !== was.tr || now.trBase !== was.trBase || (mn === 'LTR' && done)) {
      this.events.push({ kind: 'tr-load', position: p.position, rip, mnemonic: mn, before: { base: big(was.trBase), limit: was.trLimit, selector: was.tr }, after: { base: big(now.trBase), limit: now.trLimit, selector: now.tr } });
      tablesChanged = true;
    }
    if (tablesChanged) this.refreshTables();
    if (!p.faulted && mn === 'SWAPGS') {
      this.gsParity ^= 1;
      this.events.push({ kind: 'swapgs', position: p.position, rip, gsBase: big(now.gsBase) });
    }
    if (!p.faulted && (mn.startsWith('IRET') || mn.startsWith('SYSRET') || mn.startsWith('SYSEXIT'))) {
      this.events.push({ kind: 'return', position: p.position, rip, mnemonic: mn, fromCpl: was.cpl, toCpl: now.cpl, target: big(cpu.rip) });
    }
    if (p.writes.length > 0 && this.handlers.length > 0) this.checkBelowSp(p);
  }

  private checkBelowSp(p: Pending): void {
    const cpu = this.machine.cpu;
    let spPhysical: number;
    try {
      spPhysical = this.look(() => cpu.mem.physical(cpu.stackAddress(cpu.sp(), 1), ACCESS_READ));
    } catch {
      return;
    }
    for (let i = 0; i < p.writes.length; i += 2) {
      const a = p.writes[i];
      const size = p.writes[i + 1];
      if (a < spPhysical && a + size > spPhysical - RED_ZONE) {
        this.warn('handler-below-rsp', p.position, p.rip, `${p.insn?.mnemonic ?? 'the instruction'} inside the ${this.handlers[this.handlers.length - 1].name} handler writes ${spPhysical - a} bytes below RSP (${hexs(cpu.sp())}): an interrupt now would overwrite it`);
        return;
      }
    }
  }
}

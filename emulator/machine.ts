/** A machine: one CPU, physical memory, the decode cache and the run loop. */
import { CpuFault, externalInterrupt, hex, instructionBreakpoint, nonMaskableInterrupt, NotModelled, singleStep, softwareInterrupt } from './arch/faults.ts';
import { deliverException, type Delivery, type DeliveryPolicy } from './ops/exceptions.ts';
import { deliverSoftwareInterrupt64 } from './ops/fast-transitions.ts';
import { DEFINED, FIXED1, IF, RF, TF } from './arch/rflags.ts';
import { Cpu } from './cpu/state.ts';
import { CR0_PE, CR0_PG, CR4_PAE, EFER_LMA, EFER_LME } from './arch/control-registers.ts';
import { GPR_NAMES } from './arch/registers.ts';
import { SEG_DB, SEG_DPL_SHIFT, SEG_G, SEG_L, SEG_P, SEG_S, SEGMENT_NAMES } from './arch/segments.ts';
import { DecodeCache } from './decode/cache.ts';
import type { BlockHead, Insn } from './cpu/insn.ts';
import type { Translate } from './memory/linear.ts';
import { PhysicalMemory } from './memory/physical.ts';
import { pagingTranslate } from './memory/paging.ts';
import { Halt } from './ops/misc.ts';
import { buildBlock, EXECUTIONS, HOT, type Execution } from './blocks/builder.ts';

export type { Execution } from './blocks/builder.ts';

export type Mode = 'long64' | 'protected32';
export type StopReason = 'hlt' | 'limit' | 'breakpoint' | 'fault' | 'triple-fault' | 'error';

export interface MachineOptions {
  /** Physical memory size in bytes (a multiple of 4096); default 4 MiB. */
  ramSize?: number;
  /** Initial mode with flat segments; default long64. */
  mode?: Mode;
  /** Initial privilege level of the flat segments; default 0. */
  cpl?: 0 | 3;
  /** How 64-bit code runs: compiled blocks (the default), threaded blocks, or one instruction at a time. */
  execution?: Execution;
}

export interface FaultInfo {
  /** Vector number, or -1 for a bus error (an access outside the machine). */
  vector: number;
  /** `#GP`, `#PF`, ... or `bus-error`. */
  name: string;
  errorCode?: number;
  /** For #PF: the faulting linear address. */
  address?: bigint;
  /** RIP of the faulting instruction (after it, for traps such as INT3). */
  rip: bigint;
  mnemonic?: string;
  reason: string;
  /** One line for a person: `#DE: DIV: divisor is zero`. */
  message: string;
}

export interface RunResult {
  reason: StopReason;
  /** Instructions retired by this call. */
  instructions: number;
  fault?: FaultInfo;
  message?: string;
}

/** Receives every architectural fault, trap or interrupt the run loop handles, before and after delivery. */
export interface ExceptionObserver {
  raised(fault: CpuFault): void;
  handled(fault: CpuFault, outcome: Delivery | 'error'): void;
}

export interface RunOptions {
  maxInstructions: number;
  /** Linear addresses of instructions to stop before (not checked for the first instruction of the call, so a run can resume from a breakpoint). */
  breakpoints?: Iterable<bigint | number>;
}

export interface TimerOptions {
  /** The interrupt vector the timer raises (32..255 for a device, as the SDM reserves 0..31). */
  vector: number;
  /** Raises the interrupt every this many retired instructions. */
  every: number;
  /** Retired-instruction count (cpu.instructions) of the first tick; default now + every. */
  start?: number;
}

export interface Timer {
  readonly vector: number;
  readonly every: number;
  /** cpu.instructions at the next tick. */
  readonly next: number;
  /** Stops the timer (an interrupt it already raised stays pending). */
  cancel(): void;
}

interface TimerState {
  vector: number;
  every: number;
  next: number;
}

/** DR6.BS: the #DB was a single-step trap (SDM Vol. 3B, 17.2.3). */
const DR6_BS = 1 << 14;
/**
 * The most steps one call of the inner loop runs. A long run re-enters it often, so V8 optimizes
 * the whole loop function early instead of running it for seconds as on-stack-replaced code.
 */
const SLICE = 1 << 16;
/** What `settle` answers when it delivered a software interrupt. */
const DELIVERED = Symbol('delivered');

const DEFAULT_RAM = 4 * 1024 * 1024;

export class Machine {
  readonly memory: PhysicalMemory;
  readonly cpu: Cpu;
  readonly cache: DecodeCache;
  /** Called before every instruction (the first of a run included) when set; returning true stops the run with reason 'breakpoint' before it. Costs nothing when null. */
  beforeInstruction: ((machine: Machine) => boolean | void) | null = null;
  /** When true, faults are delivered through the IDT (system-level scenarios); otherwise they stop the run. */
  deliverExceptions = false;
  /** Told about every architectural fault, trap or interrupt the run loop handles (the debugger's event log). Costs nothing when null. */
  exceptionObserver: ExceptionObserver | null = null;

  /** External interrupt vectors waiting for IF = 1 and no shadow, oldest first (a vector is pending at most once). */
  private readonly pending: number[] = [];
  private readonly pendingSources: string[] = [];
  private nmiPending = false;
  private readonly timers: TimerState[] = [];
  /** The instruction breakpoints the run loop last chose its loop for (not machine state: a cache). */
  #armedBreakpoints: number[] = [];
  #execution: Execution = 'compiled';

  constructor(options: MachineOptions = {}) {
    this.memory = new PhysicalMemory(options.ramSize ?? DEFAULT_RAM);
    this.cpu = new Cpu(this.memory);
    this.cache = new DecodeCache(this.memory);
    this.cpu.mem.followers = this.cache;
    this.cpu.modeFollower = this.cache;
    this.setFlatMode(options.mode ?? 'long64', options.cpl ?? 0);
    if (options.execution !== undefined) this.execution = options.execution;
  }

  /** How 64-bit code runs; changing it drops the decoded instructions and their blocks (nothing architectural). */
  get execution(): Execution {
    return this.#execution;
  }

  set execution(mode: Execution) {
    if (!EXECUTIONS.includes(mode)) throw new RangeError(`execution '${String(mode)}': expected one of ${EXECUTIONS.join(', ')}`);
    if (mode === this.#execution) return;
    this.#execution = mode;
    this.cache.clear();
  }

  /** Puts the CPU in `mode` with flat 4 GiB segments at privilege `cpl` (no descriptor tables needed). */
  setFlatMode(mode: Mode, cpl: 0 | 3 = 0): void {
    const cpu = this.cpu;
    const dpl = cpl << SEG_DPL_SHIFT;
    const code = cpu.seg[1];
    code.selector = (cpl ? 0x18 : 0x08) | cpl;
    code.base = 0;
    code.limit = 0xffffffff;
    code.attrs = SEG_P | SEG_S | 0xb | dpl | SEG_G | (mode === 'long64' ? SEG_L : SEG_DB);
    for (const s of [0, 2, 3, 4, 5]) {
      const seg = cpu.seg[s];
      seg.selector = (cpl ? 0x20 : 0x10) | cpl;
      seg.base = 0;
      seg.limit = 0xffffffff;
      seg.attrs = SEG_P | SEG_S | 0x3 | dpl | SEG_G | SEG_DB;
    }
    if (mode === 'long64') {
      cpu.cr0 = CR0_PE | CR0_PG | 0x32;
      cpu.cr4 = CR4_PAE;
      cpu.efer = EFER_LME | EFER_LMA;
    } else {
      cpu.cr0 = CR0_PE | 0x32;
      cpu.cr4 = 0;
      cpu.efer = 0;
    }
    cpu.updateMode();
    cpu.mem.flush();
  }

  /** Replaces the linear-to-physical translation (identity by default; paging installs its walker here). */
  set translate(hook: Translate) {
    this.cpu.mem.translate = hook;
  }

  get translate(): Translate {
    return this.cpu.mem.translate;
  }

  /** Translates through the page tables at CR3 whenever CR0.PG is set (instead of the identity). */
  usePageTables(): void {
    this.translate = pagingTranslate(this.cpu);
  }

  load(address: bigint | number, bytes: Uint8Array): void {
    this.memory.load(Number(address), bytes);
  }

  read(address: bigint | number, length: number): Uint8Array {
    return this.memory.read(Number(address), length);
  }

  getRegister(name: string): bigint {
    const cpu = this.cpu;
    const n = name.toLowerCase();
    const gpr = (GPR_NAMES as readonly string[]).indexOf(n);
    if (gpr >= 0) return cpu.getGpr(gpr);
    const seg = (SEGMENT_NAMES as readonly string[]).indexOf(n);
    if (seg >= 0) return BigInt(cpu.seg[seg].selector);
    switch (n) {
      case 'rip': return cpu.getRip();
      case 'rflags': return BigInt(cpu.flags >>> 0);
      case 'cr0': return BigInt(cpu.cr0 >>> 0);
      case 'cr2': return BigInt.asUintN(64, BigInt(cpu.cr2));
      case 'cr3': return BigInt(cpu.cr3);
      case 'cr4': return BigInt(cpu.cr4 >>> 0);
      case 'cr8': return BigInt(cpu.cr8);
      case 'efer': return BigInt(cpu.efer >>> 0);
      case 'fsbase': return BigInt.asUintN(64, BigInt(cpu.seg[4].base));
      case 'gsbase': return BigInt.asUintN(64, BigInt(cpu.seg[5].base));
      case 'cpl': return BigInt(cpu.cpl);
      case 'tr': return BigInt(cpu.tr.selector);
      case 'ldtr': return BigInt(cpu.ldtr.selector);
      default: throw new RangeError(`unknown register '${name}'`);
    }
  }

  setRegister(name: string, value: bigint): void {
    const cpu = this.cpu;
    const n = name.toLowerCase();
    const gpr = (GPR_NAMES as readonly string[]).indexOf(n);
    if (gpr >= 0) return cpu.setGpr(gpr, value);
    switch (n) {
      case 'rip': return cpu.setRip(value);
      case 'rflags': {
        cpu.flags = (Number(BigInt.asUintN(32, value)) & DEFINED) | FIXED1;
        cpu.updateAlignmentCheck();
        return;
      }
      case 'cr0':
      case 'cr4':
      case 'efer': {
        // Raw state for setting up a machine: no consistency checks (MOV to CRn applies those).
        const v = Number(BigInt.asUintN(32, value));
        if (n === 'cr0') cpu.cr0 = v;
        else if (n === 'cr4') cpu.cr4 = v;
        else cpu.efer = v;
        cpu.updateMode();
        cpu.mem.flush();
        return;
      }
      case 'cr3': {
        cpu.cr3 = Number(BigInt.asUintN(52, value));
        cpu.mem.flush();
        return;
      }
      case 'cr2': {
        cpu.cr2 = Number(BigInt.asIntN(64, value));
        return;
      }
      case 'fsbase':
      case 'gsbase': {
        cpu.seg[n === 'fsbase' ? 4 : 5].base = Number(BigInt.asIntN(64, value));
        return;
      }
      default: throw new RangeError(`register '${name}' cannot be set directly`);
    }
  }

  /**
   * Raises an external maskable interrupt: it is delivered through the IDT at the first instruction
   * boundary where RFLAGS.IF = 1 and no STI or MOV SS shadow covers the boundary, and it wakes a HLT.
   */
  raiseInterrupt(vector: number, source = 'raised by the machine'): void {
    if (!Number.isInteger(vector) || vector < 0 || vector > 255) throw new RangeError(`interrupt vector must be an integer 0..255, got ${vector}`);
    if (this.pending.includes(vector)) return;
    this.pending.push(vector);
    this.pendingSources.push(source);
    this.cpu.attention = true;
  }

  /** Raises an NMI: delivered (vector 2) regardless of IF, but not while an earlier NMI's handler runs (blocked until the next IRET) nor inside a shadow. */
  raiseNmi(): void {
    this.nmiPending = true;
    this.cpu.attention = true;
  }

  /** What the program wrote to the debug console (port 0xE9), one character per byte (Latin-1). */
  get debugConsole(): string {
    let text = '';
    for (const b of this.cpu.io.console) text += String.fromCharCode(b);
    return text;
  }

  /** Interrupts raised and not yet delivered, oldest first; `nmi` when an NMI waits. */
  get pendingInterrupts(): { vectors: number[]; nmi: boolean } {
    return { vectors: [...this.pending], nmi: this.nmiPending };
  }

  /** A deterministic timer: raises `vector` every `every` retired instructions, counted by the run loop (no real time). */
  addTimer(options: TimerOptions): Timer {
    const { vector, every } = options;
    if (!Number.isInteger(vector) || vector < 0 || vector > 255) throw new RangeError(`timer vector must be an integer 0..255, got ${vector}`);
    if (!Number.isInteger(every) || every < 1) throw new RangeError(`timer period 'every' must be a positive integer number of instructions, got ${every}`);
    const start = options.start ?? this.cpu.instructions + every;
    if (!Number.isInteger(start) || start < 0) throw new RangeError(`timer 'start' must be a non-negative integer instruction count, got ${start}`);
    const state: TimerState = { vector, every, next: start };
    this.timers.push(state);
    const timers = this.timers;
    return {
      vector,
      every,
      get next() {
        return state.next;
      },
      cancel() {
        const i = timers.indexOf(state);
        if (i >= 0) timers.splice(i, 1);
      },
    };
  }

  private tickTimers(): void {
    const now = this.cpu.instructions;
    for (const t of this.timers) {
      if (now >= t.next) {
        this.raiseInterrupt(t.vector, `timer every ${t.every} instructions`);
        t.next = now + t.every;
      }
    }
  }

  /** Steps until the next timer tick (at least 1). */
  private untilTick(): number {
    let least = Infinity;
    for (const t of this.timers) least = Math.min(least, t.next - this.cpu.instructions);
    return Math.max(1, least);
  }

  /** The interrupt to deliver at this boundary, if any (SDM Vol. 3A, 6.9: NMI before maskable interrupts); `take` removes it from the pending ones. */
  private nextInterrupt(take: boolean): CpuFault | null {
    const cpu = this.cpu;
    const at = cpu.steps;
    if (cpu.ssShadowAt === at) return null;
    if (this.nmiPending && !cpu.nmiBlocked && cpu.stiShadowAt !== at) {
      if (!take) return nonMaskableInterrupt();
      this.nmiPending = false;
      this.updateAttention();
      return atBoundary(nonMaskableInterrupt(), cpu.rip);
    }
    if (this.pending.length === 0 || (cpu.flags & IF) === 0 || cpu.stiShadowAt === at) return null;
    if (!take) return externalInterrupt(this.pending[0], this.pendingSources[0]);
    const vector = this.pending.shift()!;
    const source = this.pendingSources.shift()!;
    this.updateAttention();
    return atBoundary(externalInterrupt(vector, source), cpu.rip);
  }

  private updateAttention(): void {
    this.cpu.attention = this.nmiPending || this.pending.length !== 0 || this.cpu.pendingSingleStep;
  }

  /**
   * After an instruction retired with TF or RF involved, or with something pending: the single-step
   * trap (SDM Vol. 3B, 17.3.1.4: TF as the instruction began, or as SYSCALL/SYSRET left it; held
   * back one instruction by a MOV SS shadow), then a deliverable interrupt.
   */
  private boundary(before: number, insn: Insn, begin: number): Outcome | null {
    const cpu = this.cpu;
    if (cpu.flags & RF) clearResumeFlag(cpu);
    const tf = (cpu.stepFromResult ? cpu.flags : before) & TF;
    cpu.stepFromResult = false;
    if (tf !== 0 || cpu.pendingSingleStep) {
      if (cpu.ssShadowAt === cpu.steps) {
        cpu.pendingSingleStep = true;
        cpu.attention = true;
      } else {
        cpu.pendingSingleStep = false;
        this.updateAttention();
        cpu.dr[6] |= DR6_BS;
        const trap = singleStep(insn.mnemonic);
        trap.at = cpu.rip;
        trap.mnemonic = insn.mnemonic;
        return { stop: 'fault', steps: cpu.steps - begin, fault: trap };
      }
    }
    if (cpu.attention) {
      if (this.nextInterrupt(false) !== null) return { stop: 'continue', steps: cpu.steps - begin };
      if (cpu.codeBreakpoints !== this.#armedBreakpoints) {
        // A MOV to a debug register changed the instruction breakpoints: the run loop picks its loop again.
        this.#armedBreakpoints = cpu.codeBreakpoints;
        this.updateAttention();
        return { stop: 'continue', steps: cpu.steps - begin };
      }
    }
    return null;
  }

  /**
   * The plain loop, after an instruction that retired with `flags` before it and TF or RF involved
   * or something pending: its software interrupt delivered (DELIVERED: one more step of the
   * budget), else the boundary's single-step trap or pending interrupt. Null: the loop goes on.
   */
  private settle(flags: number, start: number, insn: Insn, begin: number): Outcome | typeof DELIVERED | null {
    const cpu = this.cpu;
    if (cpu.softwareTrap !== null || cpu.softwareVector >= 0) {
      const stop = (flags & (RF | TF)) === 0 && this.fastSoftwareInterrupt() ? null : this.softwareTrap(start, insn, begin);
      return stop ?? DELIVERED;
    }
    return this.boundary(flags, insn, begin);
  }

  /**
   * INT n completed with neither TF nor RF set, in the plain loop: delivered through the fast path
   * (true) when it applies and nothing must see the event; otherwise `softwareTrap` takes it.
   */
  private fastSoftwareInterrupt(): boolean {
    const cpu = this.cpu;
    const vector = cpu.softwareVector;
    if (vector < 0 || !this.deliverExceptions || this.exceptionObserver !== null || !deliverSoftwareInterrupt64(cpu, vector)) return false;
    cpu.softwareVector = -1;
    this.updateAttention();
    // The handler's first instruction boundary is a new one: no shadow covers it.
    cpu.stiShadowAt = cpu.ssShadowAt = -1;
    return true;
  }

  /**
   * INT n, INT3 or INTO completed: its event is delivered here, without leaving the inner loop
   * (null), unless the run stops on faults or an observer must see it: then the run loop takes it.
   */
  private softwareTrap(start: number, insn: Insn, begin: number): Outcome | null {
    const cpu = this.cpu;
    const vector = cpu.softwareVector;
    cpu.softwareVector = -1;
    const trap = vector >= 0 ? softwareInterrupt(vector) : cpu.softwareTrap!;
    cpu.softwareTrap = null;
    this.updateAttention();
    trap.at = start;
    if (trap.mnemonic === undefined) trap.mnemonic = insn.mnemonic;
    if (!this.deliverExceptions || this.exceptionObserver !== null) return { stop: 'fault', steps: cpu.steps - begin, fault: trap };
    const delivery = safeDeliver(this, trap);
    if (delivery !== 'delivered') return { stop: 'fault', steps: cpu.steps - begin, fault: trap, delivery };
    // The handler's first instruction boundary is a new one: no shadow covers it.
    cpu.stiShadowAt = cpu.ssShadowAt = -1;
    return null;
  }

  /** HLT stopped the run: it goes on when an interrupt can wake it (a pending one, or a timer while IF = 1, whose tick comes at once). */
  private wake(): boolean {
    if (this.cpu.attention && this.nextInterrupt(false) !== null) return true;
    if ((this.cpu.flags & IF) === 0 || this.timers.length === 0) return false;
    let first = this.timers[0];
    for (const t of this.timers) if (t.next < first.next) first = t;
    first.next = Math.min(first.next, this.cpu.instructions);
    return true;
  }

  /** Executes one instruction. */
  step(): RunResult {
    return this.run({ maxInstructions: 1 });
  }

  /** Runs until HLT, a fault that is not delivered, a breakpoint, or `maxInstructions`; never throws. */
  run(options: RunOptions): RunResult {
    try {
      return this.runLoop(options);
    } catch (e) {
      // Last line of defence: run() never throws, whatever goes wrong inside.
      return { reason: 'error', instructions: 0, message: `emulator error: ${e instanceof Error ? e.message : String(e)}` };
    }
  }

  private runLoop(options: RunOptions): RunResult {
    const cpu = this.cpu;
    const budget = Math.max(0, Math.floor(options.maxInstructions));
    const breaks = options.breakpoints ? new Set(Array.from(options.breakpoints, (b) => Number(BigInt.asIntN(64, BigInt(b))))) : null;
    const before = cpu.instructions;
    let steps = 0;
    let firstCall = true;
    for (;;) {
      if (steps >= budget) return { reason: 'limit', instructions: cpu.instructions - before };
      if (this.timers.length !== 0) this.tickTimers();
      let event: CpuFault | null = cpu.attention ? this.nextInterrupt(true) : null;
      let outcome: Outcome | null = null;
      if (event === null) {
        const slice = Math.min(budget - steps, SLICE, this.timers.length !== 0 ? this.untilTick() : SLICE);
        // Only the very first instruction of a call skips the checks: a handler entered by delivery is checked.
        outcome = this.execute(slice, breaks, firstCall);
        firstCall = false;
        steps += outcome.steps;
        if (outcome.stop === 'continue' || (outcome.stop === 'hlt' && this.wake())) {
          if (steps >= budget) return { reason: 'limit', instructions: cpu.instructions - before };
          continue;
        }
        if (outcome.fault) event = outcome.fault;
      }
      const retired = cpu.instructions - before;
      if (event !== null) {
        const observer = this.exceptionObserver;
        let delivery = outcome?.delivery;
        if (delivery === undefined) {
          if (observer !== null) observer.raised(event);
          delivery = safeDeliver(this, event);
          if (observer !== null) observer.handled(event, typeof delivery === 'string' ? delivery : 'error');
        }
        if (delivery === 'delivered') {
          // The handler's first instruction boundary is a new one: no shadow covers it.
          cpu.stiShadowAt = cpu.ssShadowAt = -1;
          firstCall = false;
          // A delivery uses one step of the budget: a handler that faults at once cannot loop forever.
          steps++;
          if (steps >= budget) return { reason: 'limit', instructions: retired };
          continue;
        }
        if (delivery === 'triple-fault') return { reason: 'triple-fault', instructions: retired, fault: describe(event), message: event.message };
        if (typeof delivery !== 'string') {
          const prefix = delivery instanceof NotModelled ? '' : 'emulator error while delivering an exception: ';
          return { reason: 'error', instructions: retired, message: `${prefix}${delivery.message}` };
        }
        return { reason: 'fault', instructions: retired, fault: describe(event), message: describe(event).message };
      }
      const stop = outcome!;
      return { reason: stop.stop as StopReason, instructions: retired, ...(stop.message ? { message: stop.message } : {}) };
    }
  }

  /** The inner loop: runs at most `budget` steps. */
  private execute(budget: number, breaks: Set<number> | null, first: boolean): Outcome {
    const cpu = this.cpu;
    const cache = this.cache;
    const hook = this.beforeInstruction;
    // A software interrupt delivered in this loop uses a step of the budget without retiring: both move back.
    let begin = cpu.steps;
    let limit = begin + budget;
    let start = cpu.rip;
    let insn: Insn | null = null;
    let running: BlockHead | null = null;
    cpu.transitions.softwareInterrupts = this.deliverExceptions && this.exceptionObserver === null && hook === null;
    try {
      // Two copies of the loop on purpose: folding the breakpoint, hook and debug-register checks into
      // the plain loop behind one flag measured about 10% slower on call/ret-heavy code.
      if (breaks === null && hook === null && cpu.codeBreakpoints.length === 0) {
        const blocks = this.#execution !== 'interpreter';
        /** The block that just ran to its end, when the next instruction is reached straight from it. */
        let ranToEnd: BlockHead | null = null;
        let prev: Insn | null = null;
        let expected = NaN;
        while (cpu.steps < limit) {
          start = cpu.rip;
          insn = prev === null ? cache.fetch(cpu, start) : followLink(cache, cpu, prev, start, expected);
          let block: BlockHead | null = insn.block;
          if (block === null && blocks && ++insn.heat >= HOT) block = insn.block = buildBlock(cpu, cache, insn, start, this.#execution);
          // A block runs only where nothing may happen between its instructions (see blocks/block.ts).
          if (block !== null && block.start === start && limit - cpu.steps >= block.insns.length && !cpu.attention && (cpu.flags & (RF | TF)) === 0) {
            if (ranToEnd !== null && ranToEnd.link !== block) {
              ranToEnd.link = block;
              ranToEnd.linkGen = cache.gen;
            }
            // Only a block's closing transition can raise an event or set TF or RF: it is settled here, and otherwise the next block needs only its start and the budget.
            let last: number;
            for (;;) {
              running = block;
              last = block.run(cpu, limit);
              running = null;
              if (last !== block.insns.length - 1) break;
              if (block.delivers && !cpu.attention) {
                // Its INT n was delivered in the block: a step of the budget that retired nothing.
                begin--;
                limit--;
              } else if (block.transition && (cpu.attention || (cpu.flags & (RF | TF)) !== 0)) {
                insn = block.insns[last];
                start = block.start + block.offsets[last];
                // A block starts with TF and RF clear, and nothing before its last instruction sets them.
                const settled = this.settle(0, start, insn, begin);
                if (settled === DELIVERED) {
                  begin--;
                  limit--;
                  if (cpu.attention) return { stop: 'continue', steps: cpu.steps - begin };
                } else if (settled !== null) return settled;
                if (cpu.attention || (cpu.flags & (RF | TF)) !== 0) break;
              }
              const next: BlockHead | null = block.link;
              if (next === null || next.start !== cpu.rip || block.linkGen !== cache.gen || limit - cpu.steps < next.insns.length) break;
              block = next;
            }
            ranToEnd = last === block.insns.length - 1 ? block : null;
            const end: Insn = block.insns[last];
            prev = end;
            expected = block.start + block.offsets[last] + end.length;
            continue;
          }
          ranToEnd = null;
          expected = start + insn.length;
          cpu.rip = expected;
          prev = insn;
          const flags = cpu.flags;
          insn.exec(cpu, insn);
          cpu.steps++;
          // RF is cleared once an instruction completes, except by the IRET that loaded it (SDM Vol. 3B, 17.3.1.1); TF traps.
          if (((flags | cpu.flags) & (RF | TF)) !== 0 || cpu.attention) {
            const settled = this.settle(flags, start, insn, begin);
            if (settled === DELIVERED) {
              begin--;
              limit--;
              if (cpu.attention) return { stop: 'continue', steps: cpu.steps - begin };
            } else if (settled !== null) return settled;
          }
        }
      } else {
        let prev: Insn | null = null;
        let expected = NaN;
        while (cpu.steps < limit) {
          start = cpu.rip;
          if (breaks !== null && breaks.has(start) && !(first && cpu.steps === begin)) return { stop: 'breakpoint', steps: cpu.steps - begin };
          if (hook !== null && hook(this) === true) return { stop: 'breakpoint', steps: cpu.steps - begin };
          if (cpu.codeBreakpoints.length !== 0 && (cpu.flags & RF) === 0) checkInstructionBreakpoints(cpu, start);
          insn = prev === null ? cache.fetch(cpu, start) : followLink(cache, cpu, prev, start, expected);
          expected = start + insn.length;
          cpu.rip = expected;
          prev = insn;
          const flags = cpu.flags;
          insn.exec(cpu, insn);
          cpu.steps++;
          // RF is cleared once an instruction completes, except by the IRET that loaded it (SDM Vol. 3B, 17.3.1.1); TF traps.
          if (((flags | cpu.flags) & (RF | TF)) !== 0 || cpu.attention) {
            if (cpu.softwareTrap !== null || cpu.softwareVector >= 0) {
              const stop = this.softwareTrap(start, insn, begin);
              if (stop !== null) return stop;
              begin--;
              limit--;
              if (cpu.attention) return { stop: 'continue', steps: cpu.steps - begin };
              continue;
            }
            const stop = this.boundary(flags, insn, begin);
            if (stop !== null) return stop;
          }
        }
      }
      return { stop: 'continue', steps: cpu.steps - begin };
    } catch (e) {
      if (running !== null) {
        // The block's instruction that raised it: the interpreter's view of the same moment.
        const k = running.fault;
        insn = running.insns[k];
        start = running.start + running.offsets[k];
        cpu.rip = start + insn.length;
      }
      if (e === Halt.instance) {
        // HLT completes before the halt state begins, so it clears RF like any other instruction (SDM Vol. 3B, 17.3.1.1).
        if (cpu.flags & RF) clearResumeFlag(cpu);
        cpu.steps++;
        return { stop: 'hlt', steps: cpu.steps - begin };
      }
      if (e instanceof CpuFault) {
        // A fault raised in a new task after a task switch completed already holds that task's EIP.
        if (!(e.isTrap && e.origin === 'exception')) e.at = start;
        // RIP still equals the start only when the fetch itself faulted.
        if (e.mnemonic === undefined) e.mnemonic = cpu.rip === start || insn === null ? 'instruction fetch' : insn.mnemonic;
        if (e.isTrap) {
          // A trap completes its instruction: RIP stays after it and the instruction retires.
          cpu.steps++;
        } else cpu.rip = start;
        return { stop: 'fault', steps: cpu.steps - begin, fault: e };
      }
      cpu.rip = start;
      if (e instanceof NotModelled) return { stop: 'error', steps: cpu.steps - begin, message: `at ${hex(start)}: ${e.message}` };
      const message = e instanceof Error ? e.message : String(e);
      return { stop: 'error', steps: cpu.steps - begin, message: `emulator error at ${hex(start)}: ${message}` };
    }
  }
}

/**
 * The instruction at `start` after `prev`: falling through, or the last place a branch of `prev`
 * went, follow `prev`'s cached links (valid for the cache generation they were made in) instead
 * of a lookup.
 */
function followLink(cache: DecodeCache, cpu: Cpu, prev: Insn, start: number, expected: number): Insn {
  if (start === expected) {
    if (prev.nextGen === cache.gen) return prev.next!;
    const insn = cache.fetch(cpu, start);
    prev.next = insn;
    prev.nextGen = cache.gen;
    return insn;
  }
  if (start === prev.jumpTo && prev.jumpGen === cache.gen) return prev.jump!;
  const insn = cache.fetch(cpu, start);
  prev.jump = insn;
  prev.jumpTo = start;
  prev.jumpGen = cache.gen;
  return insn;
}

/** DR0-DR3 execute breakpoints: #DB (a fault, DR6.Bn set) before the instruction at a matching linear address, unless RF is set. */
function checkInstructionBreakpoints(cpu: Cpu, rip: number): void {
  const linear = cpu.codeBits === 64 ? rip : cpu.seg[1].base + rip;
  let hits = 0;
  for (const n of cpu.codeBreakpoints) if (cpu.dr[n] === linear) hits |= 1 << n;
  if (hits === 0) return;
  cpu.dr[6] = ((cpu.dr[6] & ~0xf) | hits) >>> 0;
  const fault = instructionBreakpoint(31 - Math.clz32(hits & -hits), linear);
  fault.mnemonic = 'instruction breakpoint';
  throw fault;
}

/** An event taken between instructions reports the RIP it interrupts. */
function atBoundary(event: CpuFault, rip: number): CpuFault {
  event.at = rip;
  return event;
}

function clearResumeFlag(cpu: Cpu): void {
  if (cpu.keepRf) cpu.keepRf = false;
  else cpu.flags &= ~RF;
}

interface Outcome {
  stop: 'continue' | 'hlt' | 'breakpoint' | 'fault' | 'error';
  steps: number;
  fault?: CpuFault;
  /** Set when the inner loop already tried to deliver `fault` and it was not delivered. */
  delivery?: Delivery | Error;
  message?: string;
}

function safeDeliver(machine: Machine, fault: CpuFault): ReturnType<typeof deliverException> | Error {
  try {
    const observer = machine.exceptionObserver;
    const policy: DeliveryPolicy = { deliverThroughIdt: machine.deliverExceptions };
    if (observer !== null) policy.onNested = (nested) => observer.raised(nested);
    return deliverException(machine.cpu, fault, policy);
  } catch (e) {
    return e instanceof Error ? e : new Error(String(e));
  }
}

function describe(f: CpuFault): FaultInfo {
  const info: FaultInfo = { vector: f.vector, name: f.name, rip: f.rip, reason: f.reason, message: f.message };
  if (f.errorCode !== undefined) info.errorCode = f.errorCode;
  if (f.address !== undefined) info.address = f.address;
  if (f.mnemonic !== undefined) info.mnemonic = f.mnemonic;
  return info;
}

/** A machine: one CPU, physical memory, the decode cache and the run loop. */
import { NotModelled, deliverException, type Delivery, type DeliveryPolicy } from './cpu/exceptions.ts';
import { CpuFault, hex } from './cpu/faults.ts';
import { DEFINED, FIXED1, RF } from './cpu/flags.ts';
import {
  CR0_PE, CR0_PG, CR4_PAE, Cpu, EFER_LMA, EFER_LME, GPR_NAMES, SEG_DB, SEG_DPL_SHIFT, SEG_G, SEG_L, SEG_P, SEG_S, SEGMENT_NAMES,
} from './cpu/state.ts';
import { DecodeCache } from './decode/cache.ts';
import type { Insn } from './decode/insn.ts';
import type { Translate } from './memory/linear.ts';
import { PhysicalMemory } from './memory/physical.ts';
import { pagingTranslate } from './memory/paging.ts';
import { Halt } from './ops/misc.ts';

export type Mode = 'long64' | 'protected32';
export type StopReason = 'hlt' | 'limit' | 'breakpoint' | 'fault' | 'triple-fault' | 'error';

export interface MachineOptions {
  /** Physical memory size in bytes (a multiple of 4096); default 4 MiB. */
  ramSize?: number;
  /** Initial mode with flat segments; default long64. */
  mode?: Mode;
  /** Initial privilege level of the flat segments; default 0. */
  cpl?: 0 | 3;
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

  constructor(options: MachineOptions = {}) {
    this.memory = new PhysicalMemory(options.ramSize ?? DEFAULT_RAM);
    this.cpu = new Cpu(this.memory);
    this.cache = new DecodeCache(this.memory);
    this.cpu.mem.onFlush = () => this.cache.flushTlb();
    this.setFlatMode(options.mode ?? 'long64', options.cpl ?? 0);
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
    const budget = Math.max(0, Math.floor(options.maxInstructions));
    const breaks = options.breakpoints ? new Set(Array.from(options.breakpoints, (b) => Number(BigInt.asIntN(64, BigInt(b))))) : null;
    const before = this.cpu.instructions;
    let steps = 0;
    let firstCall = true;
    for (;;) {
      // Only the very first instruction of a call skips the checks: a handler entered by delivery is checked.
      const outcome = this.execute(budget - steps, breaks, firstCall);
      firstCall = false;
      steps += outcome.steps;
      const retired = this.cpu.instructions - before;
      if (outcome.stop === 'continue') {
        if (steps >= budget) return { reason: 'limit', instructions: retired };
        continue;
      }
      if (outcome.fault) {
        const observer = this.exceptionObserver;
        if (observer !== null) observer.raised(outcome.fault);
        const delivery = safeDeliver(this, outcome.fault);
        if (observer !== null) observer.handled(outcome.fault, typeof delivery === 'string' ? delivery : 'error');
        if (delivery === 'delivered') {
          // A delivery uses one step of the budget: a handler that faults at once cannot loop forever.
          steps++;
          if (steps >= budget) return { reason: 'limit', instructions: retired };
          continue;
        }
        if (delivery === 'triple-fault') return { reason: 'triple-fault', instructions: retired, fault: describe(outcome.fault), message: outcome.fault.message };
        if (typeof delivery !== 'string') {
          const prefix = delivery instanceof NotModelled ? '' : 'emulator error while delivering an exception: ';
          return { reason: 'error', instructions: retired, message: `${prefix}${delivery.message}` };
        }
        return { reason: 'fault', instructions: retired, fault: describe(outcome.fault), message: describe(outcome.fault).message };
      }
      return { reason: outcome.stop, instructions: retired, ...(outcome.message ? { message: outcome.message } : {}) };
    }
  }

  /** The inner loop: runs at most `budget` steps. */
  private execute(budget: number, breaks: Set<number> | null, first: boolean): Outcome {
    const cpu = this.cpu;
    const cache = this.cache;
    const hook = this.beforeInstruction;
    const begin = cpu.steps;
    const limit = begin + budget;
    let start = cpu.rip;
    let insn: Insn | null = null;
    try {
      if (breaks === null && hook === null) {
        // Falling through to the next instruction follows a cached link instead of a lookup.
        let prev: Insn | null = null;
        let expected = NaN;
        while (cpu.steps < limit) {
          start = cpu.rip;
          if (prev !== null && start === expected && prev.nextGen === cache.gen) insn = prev.next!;
          else {
            insn = cache.fetch(cpu, start);
            if (prev !== null && start === expected) {
              prev.next = insn;
              prev.nextGen = cache.gen;
            }
          }
          expected = start + insn.length;
          cpu.rip = expected;
          prev = insn;
          insn.exec(cpu, insn);
          cpu.steps++;
          // RF is cleared once an instruction completes, except by the IRET that loaded it (SDM Vol. 3B, 17.3.1.1).
          if (cpu.flags & RF) clearResumeFlag(cpu);
        }
      } else {
        let prev: Insn | null = null;
        let expected = NaN;
        while (cpu.steps < limit) {
          start = cpu.rip;
          if (breaks !== null && breaks.has(start) && !(first && cpu.steps === begin)) return { stop: 'breakpoint', steps: cpu.steps - begin };
          if (hook !== null && hook(this) === true) return { stop: 'breakpoint', steps: cpu.steps - begin };
          if (prev !== null && start === expected && prev.nextGen === cache.gen) insn = prev.next!;
          else {
            insn = cache.fetch(cpu, start);
            if (prev !== null && start === expected) {
              prev.next = insn;
              prev.nextGen = cache.gen;
            }
          }
          expected = start + insn.length;
          cpu.rip = expected;
          prev = insn;
          insn.exec(cpu, insn);
          cpu.steps++;
          // RF is cleared once an instruction completes, except by the IRET that loaded it (SDM Vol. 3B, 17.3.1.1).
          if (cpu.flags & RF) clearResumeFlag(cpu);
        }
      }
      return { stop: 'continue', steps: cpu.steps - begin };
    } catch (e) {
      if (e === Halt.instance) {
        cpu.steps++;
        return { stop: 'hlt', steps: cpu.steps - begin };
      }
      if (e instanceof CpuFault) {
        e.rip = BigInt.asUintN(64, BigInt(start));
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

function clearResumeFlag(cpu: Cpu): void {
  if (cpu.keepRf) cpu.keepRf = false;
  else cpu.flags &= ~RF;
}

interface Outcome {
  stop: 'continue' | 'hlt' | 'breakpoint' | 'fault' | 'error';
  steps: number;
  fault?: CpuFault;
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

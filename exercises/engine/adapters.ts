/** Binds the engine's ports to the real CPU (emulator/) and assembler (emulator/asm/). */
import { assemble, inMainFile } from '../../emulator/asm/index.ts';
import { decodeOne } from '../../emulator/decode/iced.ts';
import { Machine, pagingTranslate, type Translate } from '../../emulator/index.ts';
import { SEG_P } from '../../emulator/arch/segments.ts';
import { Segment } from '../../emulator/cpu/state.ts';
import type { AsmOutput, AssemblerPort, DisassemblerPort, EnginePorts, EntryWatch, FaultInfo, MachineFactory, MachinePort, RunOutcome, SystemState, TimerSetup, WriteObserver } from './ports.ts';
import type { Mode, RegisterName } from './schema.ts';

class EmulatorMachine implements MachinePort {
  constructor(private machine: Machine, readonly mode: Mode) {
    machine.translate = followsProgramPaging(machine, mode);
  }

  writeBytes(addr: number, bytes: Uint8Array): void { this.machine.load(addr, bytes); }
  readBytes(addr: number, length: number): Uint8Array { return this.machine.read(addr, length); }
  setReg(name: RegisterName, value: bigint): void { this.machine.setRegister(name, value); }
  getReg(name: RegisterName): bigint { return this.machine.getRegister(name); }
  cpl(): number { return Number(this.machine.getRegister('cpl')); }

  resetCpu(): void {
    // An interrupt a timer raised at the end of the last case would be delivered in this one: start over with a fresh CPU (rare).
    const pending = this.machine.pendingInterrupts;
    if (pending.vectors.length || pending.nmi) this.machine = freshMachine(this.machine, this.mode);
    const cpu = this.machine.cpu;
    // Nothing of the previous case survives: tables, CR2/CR3, debug registers and MSRs are the learner's to set, never inherited.
    cpu.cr2 = 0;
    cpu.cr3 = 0;
    cpu.cr8 = 0;
    cpu.gdtrBase = cpu.idtrBase = 0;
    cpu.gdtrLimit = cpu.idtrLimit = 0xffff;
    Object.assign(cpu.tr, new Segment());
    Object.assign(cpu.ldtr, new Segment());
    cpu.msr.clear();
    const dr = cpu.dr;
    dr[0] = dr[1] = dr[2] = dr[3] = 0;
    dr[6] = 0xffff0ff0;
    dr[7] = 0x400;
    if (cpu.codeBreakpoints.length) cpu.codeBreakpoints = [];
    cpu.nmiBlocked = false;
    cpu.pendingSingleStep = false;
    this.machine.setFlatMode(this.mode, 0);
  }

  observeWrites(observer: WriteObserver | undefined): void {
    this.machine.cpu.mem.writeObserver = observer ?? null;
  }

  setSystem(state: SystemState): void {
    const cpu = this.machine.cpu;
    if (state.gdtr) { cpu.gdtrBase = state.gdtr.base; cpu.gdtrLimit = state.gdtr.limit; }
    if (state.idtr) { cpu.idtrBase = state.idtr.base; cpu.idtrLimit = state.idtr.limit; }
    if (state.tr) {
      cpu.tr.selector = state.tr.selector;
      cpu.tr.base = state.tr.base;
      cpu.tr.limit = state.tr.limit;
      cpu.tr.attrs = SEG_P | 0xb; // a busy TSS (64-bit or 32-bit: both are type 0xB)
    }
    if (state.cr3 !== undefined) {
      cpu.cr3 = state.cr3;
      cpu.mem.flush();
    }
  }

  run(maxInstructions: number, timer?: TimerSetup, entry?: EntryWatch): RunOutcome {
    const device = timer ? this.machine.addTimer(timer) : undefined;
    const chain = watchFaultChain(this.machine);
    let r = this.machine.run({ maxInstructions, ...(entry ? { breakpoints: entry.at } : {}) });
    let instructions = r.instructions;
    if (entry && r.reason === 'breakpoint') {
      entry.reached();
      r = this.machine.run({ maxInstructions: maxInstructions - instructions });
      instructions += r.instructions;
    }
    chain.stop();
    device?.cancel();
    const outcome: RunOutcome = { reason: r.reason, instructions };
    if (r.message) outcome.message = r.message;
    if (r.fault) outcome.fault = faultInfo(r.fault);
    if (r.reason === 'triple-fault' && chain.events.length) outcome.chain = { first: faultInfo(chain.events[0]), nested: chain.events.slice(1).map(faultInfo) };
    return outcome;
  }
}

interface FaultLike { vector: number; name: string; message: string; rip: bigint; errorCode?: number }
const faultInfo = (f: FaultLike): FaultInfo => ({ vector: f.vector, name: f.name, message: f.message, rip: Number(BigInt.asUintN(64, f.rip)), ...(f.errorCode !== undefined ? { errorCode: f.errorCode } : {}) });

/** The faults of the last delivery chain (the one a triple fault ends): the event delivered, then every fault its delivery raised. */
function watchFaultChain(machine: Machine): { events: FaultLike[]; stop(): void } {
  const previous = machine.exceptionObserver;
  const events: FaultLike[] = [];
  let open = false;
  machine.exceptionObserver = {
    raised(fault) {
      if (!open) { events.length = 0; open = true; }
      events.push({ vector: fault.vector, name: fault.name, message: fault.message, rip: fault.rip, ...(fault.errorCode !== undefined ? { errorCode: fault.errorCode } : {}) });
      previous?.raised(fault);
    },
    handled(fault, outcome) { open = false; previous?.handled(fault, outcome); },
  };
  return { events, stop: () => { machine.exceptionObserver = previous; } };
}

/**
 * Translation as the hardware does it once the program pages: in protected32 through CR3's tables
 * whenever CR0.PG is set (the walker is the identity while it is clear); in long64, which starts
 * with paging on but no tables in memory, the identity until the program loads a non-zero CR3.
 */
function followsProgramPaging(machine: Machine, mode: Mode): Translate {
  const cpu = machine.cpu;
  const walk = pagingTranslate(cpu);
  return mode === 'protected32' ? walk : (linear, access) => (cpu.cr3 === 0 ? linear : walk(linear, access));
}

function freshMachine(old: Machine, mode: Mode): Machine {
  const machine = new Machine({ ramSize: old.memory.size, mode });
  machine.deliverExceptions = old.deliverExceptions;
  machine.load(0, old.read(0, old.memory.size));
  machine.translate = followsProgramPaging(machine, mode);
  machine.cpu.mem.writeObserver = old.cpu.mem.writeObserver;
  return machine;
}

export const emulatorMachines: MachineFactory = {
  create: ({ ramSize, mode, deliverExceptions }) => {
    const machine = new Machine({ ramSize, mode });
    machine.deliverExceptions = deliverExceptions;
    return new EmulatorMachine(machine, mode);
  },
};

const emulatorAssembler: AssemblerPort = {
  assemble(source, { bits, symbols, sectionBases }): AsmOutput {
    const r = assemble(source, { bits, symbols, sectionBases });
    return {
      ok: r.ok,
      sections: r.sections.map((s) => ({ name: s.name, base: Number(s.base), bytes: s.bytes })),
      symbols: r.symbols.filter((s) => s.section !== null).map((s) => ({ name: s.name, section: s.section!, value: Number(s.address), global: s.global })),
      listing: r.listing.map((l) => ({ line: l.line, section: l.section, offset: l.offset, bytes: l.bytes })),
      diagnostics: r.diagnostics.map(inMainFile).map((d) => ({ severity: d.severity, line: d.line, column: d.column, endLine: d.endLine, endColumn: d.endColumn, message: d.message })),
    };
  },
};

const emulatorDisassembler: DisassemblerPort = {
  mnemonics(code, bits) {
    const out = new Set<string>();
    for (let at = 0; at < code.length;) {
      const insn = decodeOne(code.subarray(at, Math.min(code.length, at + 15)), bits);
      if (insn.length === 0 || insn.mnemonic === 'INVALID') { at++; continue; }
      out.add(insn.mnemonic.toLowerCase());
      at += insn.length;
    }
    return [...out];
  },
};

export function realPorts(): EnginePorts {
  return { machines: emulatorMachines, assembler: emulatorAssembler, disassembler: emulatorDisassembler };
}

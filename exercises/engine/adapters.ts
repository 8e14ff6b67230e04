/** Binds the engine's ports to the real CPU (emulator/) and assembler (emulator/asm/). */
import { assemble } from '../../emulator/asm/index.ts';
import { decodeOne } from '../../emulator/decode/iced.ts';
import { Machine, pagingTranslate } from '../../emulator/index.ts';
import { SEG_P } from '../../emulator/cpu/state.ts';
import type { AsmOutput, AssemblerPort, DisassemblerPort, EnginePorts, MachineFactory, MachinePort, RunOutcome, SystemState, WriteObserver } from './ports.ts';
import type { Mode, RegisterName } from './schema.ts';

class EmulatorMachine implements MachinePort {
  private paging = false;

  constructor(private readonly machine: Machine, readonly mode: Mode) {}

  writeBytes(addr: number, bytes: Uint8Array): void { this.machine.load(addr, bytes); }
  readBytes(addr: number, length: number): Uint8Array { return this.machine.read(addr, length); }
  setReg(name: RegisterName, value: bigint): void { this.machine.setRegister(name, value); }
  getReg(name: RegisterName): bigint { return this.machine.getRegister(name); }
  cpl(): number { return Number(this.machine.getRegister('cpl')); }
  resetCpu(): void { this.machine.setFlatMode(this.mode, 0); }

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
    if (state.paging) {
      cpu.cr3 = state.cr3 ?? 0;
      if (!this.paging) {
        const walk = pagingTranslate(cpu);
        // Until the harness loads its own tables, a CR3 of 0 means the flat identity mapping every exercise starts with.
        this.machine.translate = state.paging === 'always' ? walk : (linear, access) => (cpu.cr3 === 0 ? linear : walk(linear, access));
        this.paging = true;
      }
      cpu.mem.flush();
    }
  }

  run(maxInstructions: number): RunOutcome {
    const r = this.machine.run({ maxInstructions });
    const outcome: RunOutcome = { reason: r.reason, instructions: r.instructions };
    if (r.message) outcome.message = r.message;
    if (r.fault) outcome.fault = { vector: r.fault.vector, name: r.fault.name, message: r.fault.message, rip: Number(BigInt.asUintN(64, r.fault.rip)), ...(r.fault.errorCode !== undefined ? { errorCode: r.fault.errorCode } : {}) };
    return outcome;
  }
}

export const emulatorMachines: MachineFactory = {
  create: ({ ramSize, mode, deliverExceptions }) => {
    const machine = new Machine({ ramSize, mode });
    machine.deliverExceptions = deliverExceptions;
    return new EmulatorMachine(machine, mode);
  },
};

export const emulatorAssembler: AssemblerPort = {
  assemble(source, { bits, symbols, sectionBases }): AsmOutput {
    const r = assemble(source, { bits, symbols, sectionBases });
    return {
      ok: r.ok,
      sections: r.sections.map((s) => ({ name: s.name, base: Number(s.base), bytes: s.bytes })),
      symbols: r.symbols.filter((s) => s.section !== null).map((s) => ({ name: s.name, section: s.section!, value: Number(s.address), global: s.global })),
      listing: r.listing.map((l) => ({ line: l.line, section: l.section, offset: l.offset, bytes: l.bytes })),
      diagnostics: r.diagnostics.map((d) => ({ severity: d.severity, line: d.line, column: d.column, endLine: d.endLine, endColumn: d.endColumn, message: d.message })),
    };
  },
};

export const emulatorDisassembler: DisassemblerPort = {
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

/**
 * One case's machine at the moment its graded run starts, for the debugger: built by the same
 * CaseRunner.load that grading runs, on the emulator, with the learner's listing at the addresses
 * the code was graded at.
 */
import { Machine } from '../../emulator/index.ts';
import { emulatorMachines } from './adapters.ts';
import { assembleSubmission } from './assemble.ts';
import type { PreparedExercise } from './exercise.ts';
import { DEFAULT_SEED } from './grade.ts';
import type { AsmListingLine, AsmSection, EnginePorts, MachinePort } from './ports.ts';
import type { Mode } from './schema.ts';
import { CaseRunner, drawInputs, type Inputs } from './run-case.ts';

/** A source line and the address of the first byte it produced. */
export interface LineAddress { line: number; address: number }

export type CaseMachine =
  | { ok: true; machine: Machine; seed: bigint; inputs: Inputs; budget: number; learner: LineAddress[]; harness: LineAddress[] }
  | { ok: false; diagnostics: { line: number; message: string }[] };

/** The case `index` of a seed (by default the one grading uses), loaded and ready to run: stepping it from here is the graded run. */
export function caseMachine(px: PreparedExercise, source: string, index: number, seed: bigint | undefined, ports: EnginePorts): CaseMachine {
  seed ??= px.exercise.spec.seed ?? DEFAULT_SEED;
  const assembled = assembleSubmission(px, source, ports);
  if (!assembled.ok) return { ok: false, diagnostics: assembled.diagnostics.filter((d) => d.severity === 'error').map((d) => ({ line: d.line, message: d.message })) };
  const inputs = drawInputs(px, seed, index);
  // The real CPU, whatever the caller's ports: a snapshot is of the emulator's machine.
  const runner = new CaseRunner(px, { ...ports, machines: emulatorMachines });
  const { timer } = runner.load(assembled.code, inputs);
  const machine = emulatorOf(runner.machine);
  // EmulatorMachine.run installs the timer at the start of the run: installed now, its first tick is the same instruction.
  if (timer) machine.addTimer(timer);
  return {
    ok: true, machine, seed, inputs, budget: px.exercise.spec.budget,
    learner: lineAddresses(assembled.code.asm.listing, assembled.code.asm.sections),
    harness: lineAddresses(px.harness.listing, px.harness.sections),
  };
}

/** The emulator behind a port built by emulatorMachines (its translation hook included, which a snapshot does not carry). */
export function emulatorOf(port: MachinePort): Machine {
  const machine = (port as unknown as { machine?: unknown }).machine;
  if (!(machine instanceof Machine)) throw new Error('the case machine is not the emulator: build it with emulatorMachines');
  return machine;
}

/** A fresh emulator set up as the engine sets one up for `px` (mode, RAM, exception delivery, translation), for a case snapshot to be restored into. */
export function emptyCaseMachine(px: PreparedExercise): Machine {
  const spec = px.exercise.spec;
  return engineEmulator({ ramSize: spec.ram, mode: spec.mode, deliverExceptions: spec.exceptions === 'idt' });
}

/** An empty emulator as the engine builds one (its translation follows the program's paging as grading's does). */
export function engineEmulator(options: { ramSize: number; mode: Mode; deliverExceptions: boolean }): Machine {
  return emulatorOf(emulatorMachines.create(options));
}

function lineAddresses(listing: AsmListingLine[], sections: AsmSection[]): LineAddress[] {
  const bases = new Map(sections.map((s) => [s.name, s.base]));
  return listing.filter((l) => l.bytes.length > 0).map((l) => ({ line: l.line, address: (bases.get(l.section) ?? 0) + l.offset }));
}

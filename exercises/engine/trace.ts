/** One case of an exercise, run and reported whole: inputs, registers before and after, every struct field by name. */
import { assembleSubmission } from './assemble.ts';
import type { PreparedExercise } from './exercise.ts';
import { showInputs } from './explain.ts';
import { DEFAULT_SEED } from './grade.ts';
import { hex } from './prng.ts';
import type { AsmDiagnostic, EnginePorts, RunOutcome } from './ports.ts';
import { CaseRunner, drawInputs } from './run-case.ts';
import { REGISTERS } from './schema.ts';
import { describeStop, locator } from './stop.ts';
import { readField } from './structs.ts';

export interface CaseReport {
  ok: boolean;
  diagnostics: AsmDiagnostic[];
  index: number;
  seed: string;
  inputs: Record<string, string>;
  stop: string;
  outcome?: RunOutcome;
  cpl?: number;
  initial?: Record<string, string>;
  registers?: Record<string, string>;
  /** Region → field → its offset and final value, for every struct region. */
  structs?: Record<string, Record<string, { offset: string; value: string }>>;
}

/** Runs one case of an exercise on a source and reports the whole final state by name (for `switchyard run --exercise` and the lab's case view). */
export function traceCase(px: PreparedExercise, source: string, ports: EnginePorts, options: { seed?: bigint; index?: number } = {}): CaseReport {
  const seed = options.seed ?? px.exercise.spec.seed ?? DEFAULT_SEED;
  const index = options.index ?? 0;
  const inputs = drawInputs(px, seed, index);
  const base = { index, seed: hex(seed), inputs: showInputs(inputs) };
  const assembled = assembleSubmission(px, source, ports);
  if (!assembled.ok) return { ...base, ok: false, diagnostics: assembled.diagnostics, stop: 'the file did not assemble' };
  const state = new CaseRunner(px, ports).run(assembled.code, inputs);
  const regs = (values: Record<string, bigint>) => Object.fromEntries(REGISTERS.map((r) => [r, hex(values[r])]));
  const structs: CaseReport['structs'] = {};
  for (const region of px.regions.values()) {
    if (!region.layout) continue;
    const bytes = state.regionBytes.get(region.name)!;
    structs[region.name] = Object.fromEntries(region.layout.fields.map((f) => [f.name, { offset: hex(f.offset), value: hex(readField(bytes, 0, f)) }]));
  }
  return { ...base, ok: true, diagnostics: assembled.diagnostics, stop: describeStop(state.outcome, locator(px, assembled.code)), outcome: state.outcome, cpl: state.cpl, initial: regs(state.initialRegs), registers: regs(state.finalRegs), structs };
}

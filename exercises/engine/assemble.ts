/** Stage 2 of grading: the learner's file assembled against the exercise's symbols, with its entry points checked. */
import type { PreparedExercise } from './exercise.ts';
import type { AsmDiagnostic, EnginePorts } from './ports.ts';
import { trampolineBytes, type LoadedCode } from './run-case.ts';

export type AssembleStage = { ok: true; code: LoadedCode; diagnostics: AsmDiagnostic[] } | { ok: false; diagnostics: AsmDiagnostic[] };

/** Assembles a learner's file against the exercise's symbols, and checks it defines every entry point the harness calls. */
export function assembleSubmission(px: PreparedExercise, source: string, ports: EnginePorts): AssembleStage {
  const asm = ports.assembler.assemble(source, { bits: px.bits, symbols: px.learnerSymbols, sectionBases: px.learnerBases });
  const diagnostics = [...asm.diagnostics];
  if (!asm.ok) return { ok: false, diagnostics };
  const room: Record<string, number> = { '.text': px.learnerBases['.data'] - px.learnerBases['.text'], '.data': px.learnerBases['.bss'] - px.learnerBases['.data'], '.bss': 0x8000 };
  for (const s of asm.sections) {
    if (!(s.name in px.learnerBases) && s.bytes.length > 0) {
      diagnostics.push(diag(1, `section ${s.name} is not loaded by this exercise: put code in .text and data in .data or .bss`));
    } else if (s.bytes.length > (room[s.name] ?? 0) || s.base + s.bytes.length > px.exercise.spec.ram) {
      diagnostics.push(diag(1, `${s.name} is ${s.bytes.length} bytes; this exercise has room for ${Math.min(room[s.name] ?? 0, px.exercise.spec.ram - s.base)} bytes there`));
    }
  }
  const symbols: Record<string, number> = {};
  for (const s of asm.symbols) symbols[s.name] = s.value;
  for (const entry of px.exercise.spec.entry) {
    const sym = asm.symbols.find((s) => s.name === entry);
    if (!sym) diagnostics.push(diag(1, `\`${entry}\` is not defined: the exercise calls \`${entry}\`, so write a label \`${entry}:\` (and \`.globl ${entry}\`)`));
    else if (sym.section !== '.text') diagnostics.push(diag(1, `\`${entry}\` must be a label in .text, not in ${sym.section}`));
  }
  if (diagnostics.some((d) => d.severity === 'error')) return { ok: false, diagnostics };
  return { ok: true, diagnostics, code: { asm, symbols, trampolines: trampolineBytes(px, symbols) } };
}

const diag = (line: number, message: string): AsmDiagnostic => ({ severity: 'error', line, column: 1, endLine: line, endColumn: 1, message });

/**
 * The GAS-compatible x86 assembler: `assemble(source, options)` returns sections, a listing, a
 * symbol table and diagnostics. It never throws on bad input. See docs/assembler.md.
 */
import { Assembler } from './assembler.ts';
import type { AssembleOptions, AssembleResult } from './types.ts';

export { clearEncodeCaches as clearAssemblerCaches } from './encode.ts';
export type { AssembleOptions, AssembleResult, AssembledSection, Bits, Diagnostic, ListingEntry, Severity, SymbolEntry } from './types.ts';

export function assemble(source: string, options: AssembleOptions = {}): AssembleResult {
  try {
    return new Assembler(options).run(source);
  } catch (err) {
    // Never reached on any input we know of; kept so the editor survives an assembler bug.
    const message = err instanceof Error ? err.message : String(err);
    return {
      ok: false,
      sections: [],
      listing: [],
      symbols: [],
      diagnostics: [{ severity: 'error', line: 1, column: 1, endLine: 1, endColumn: 2, message: `internal assembler error: ${message}` }],
    };
  }
}

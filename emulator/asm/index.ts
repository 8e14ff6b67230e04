/**
 * The GAS-compatible x86 assembler: `assemble(source, options)` returns sections, a listing, a
 * symbol table and diagnostics. It never throws on bad input. See docs/assembler.md.
 */
import { Assembler } from './assembler.ts';
import { preprocess, wantsPreprocessor } from './cpp.ts';
import type { AssembleOptions, AssembleResult } from './types.ts';

export { clearEncodeCaches as clearAssemblerCaches } from './encode.ts';
export type { AssembleOptions, AssembleResult, AssembledSection, Bits, Diagnostic, IncludeReader, ListingEntry, RelatedLocation, Severity, SymbolEntry } from './types.ts';
export { directiveNames } from './directives.ts';
export { preprocess, wantsPreprocessor } from './cpp.ts';
export { inMainFile } from './main-file.ts';

export function assemble(source: string, options: AssembleOptions = {}): AssembleResult {
  try {
    const text = wantsPreprocessor(source, options.fileName) ? preprocess(source, { file: options.fileName ?? 'source.S', include: options.include, bits: options.bits }) : source;
    return new Assembler(options).run(text);
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

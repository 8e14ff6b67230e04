/** Public types of the assembler (see docs/assembler.md). */

export type Bits = 16 | 32 | 64;

export interface AssembleOptions {
  /** Starting code width; `.code16/.code32/.code64` switch it. Default 64. */
  bits?: Bits;
  /** Absolute symbols supplied from outside (struct offsets, constants). */
  symbols?: Record<string, number | bigint>;
  /** Absolute load address of each section; references to labels resolve to base + offset. Default 0. */
  sectionBases?: Record<string, number | bigint>;
  /** The source's file name: `.S` files go through the C preprocessor, `.s` files never do. */
  fileName?: string;
  /** Reads a file named by `#include "..."` (see docs/assembler.md); without it, includes are errors. */
  include?: IncludeReader;
}

/** Resolves `#include "name"` written in file `from`: the text and the name to report it by, or why not. */
export type IncludeReader = (name: string, from: string) => { ok: true; file: string; text: string } | { ok: false; error: string };

export type Severity = 'error' | 'warning';

export interface Diagnostic {
  severity: Severity;
  /** 1-based, inclusive start. */
  line: number;
  column: number;
  /** 1-based, exclusive end column. */
  endLine: number;
  endColumn: number;
  message: string;
  /** Set when the position is in an included file, not the main one. */
  file?: string;
  /**
   * Where the statement came from, innermost first: each macro or repeat invocation
   * ("in macro `STUB` at line 3, invoked from line 9") and each `#include` line. The last entry
   * without a `file` is the position in the main file.
   */
  related?: RelatedLocation[];
}

export interface RelatedLocation {
  file?: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  message: string;
}

export interface AssembledSection {
  name: string;
  base: bigint;
  bytes: Uint8Array;
}

export interface ListingEntry {
  /** Source line that produced the bytes (the invocation line for macro and .rept expansions). */
  line: number;
  section: string;
  offset: number;
  bytes: Uint8Array;
}

export interface SymbolEntry {
  name: string;
  /** Section name, or null for an absolute symbol (`.equ`, supplied symbols). */
  section: string | null;
  /** Offset inside the section, or the value of an absolute symbol. */
  value: bigint;
  /** base + offset for labels; the value for absolute symbols. */
  address: bigint;
  global: boolean;
  /** 1-based line of the definition; 0 for supplied symbols. */
  line: number;
}

export interface AssembleResult {
  ok: boolean;
  sections: AssembledSection[];
  listing: ListingEntry[];
  symbols: SymbolEntry[];
  diagnostics: Diagnostic[];
}

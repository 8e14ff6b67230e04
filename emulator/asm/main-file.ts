import type { Diagnostic } from './types.ts';

/**
 * The same diagnostic placed in the main file, for consumers that show only that file: a problem
 * in an included file moves to its `#include` line and names where it really is.
 */
export function inMainFile(d: Diagnostic): Diagnostic {
  if (d.file === undefined) return d;
  const site = d.related?.find((r) => r.file === undefined);
  const at = site ?? { line: 1, column: 1, endLine: 1, endColumn: 2 };
  return { severity: d.severity, line: at.line, column: at.column, endLine: at.endLine, endColumn: at.endColumn, message: `${d.file}:${d.line}:${d.column}: ${d.message}` };
}

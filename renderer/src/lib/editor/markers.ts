import type * as Monaco from 'monaco-editor/editor/editor.api';
import type { WorkerDiagnostic } from '../machine/protocol.ts';

type MarkerApi = Pick<typeof Monaco, 'MarkerSeverity'>;

/**
 * Editor markers for assembler diagnostics. A problem inside a macro body is marked on the body
 * line, with a link to each invocation; one in an included file is marked on the `#include` line
 * of the file being edited (the only one open), naming where it really is.
 */
export function diagnosticMarkers(monaco: MarkerApi, uri: Monaco.Uri, diagnostics: WorkerDiagnostic[]): Monaco.editor.IMarkerData[] {
  return diagnostics.map((d) => {
    const here = d.file === undefined ? d : d.related?.find((r) => r.file === undefined);
    const at = here ?? { line: 1, column: 1, endLine: 1, endColumn: 2 };
    const elsewhere = d.file !== undefined ? `${d.file}:${d.line}:${d.column}: ` : '';
    return {
      severity: d.severity === 'error' ? monaco.MarkerSeverity.Error : monaco.MarkerSeverity.Warning,
      startLineNumber: at.line,
      startColumn: at.column,
      endLineNumber: at.endLine,
      endColumn: Math.max(at.endColumn, at.column + 1),
      message: `${elsewhere}${d.message}`,
      relatedInformation: (d.related ?? [])
        .filter((r) => r.file === undefined && r !== here)
        .map((r) => ({ resource: uri, message: r.message, startLineNumber: r.line, startColumn: r.column, endLineNumber: r.endLine, endColumn: Math.max(r.endColumn, r.column + 1) })),
    };
  });
}

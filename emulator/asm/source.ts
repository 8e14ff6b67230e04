/** Splits source text into statements: comments removed, `;` separated. */

export interface Stmt {
  text: string;
  /** 1-based line of the statement (of the invocation for expanded text). */
  line: number;
  /** 0-based column of `text[0]` in that line. */
  col: number;
  /** Set for text produced by a macro or repeat expansion: diagnostics point at the invocation. */
  expansion?: { col: number; end: number };
}

export interface SplitResult {
  statements: Stmt[];
  problems: { line: number; col: number; end: number; message: string }[];
}

/**
 * GNU as for x86 ELF: `#` starts a comment anywhere, `/` starts one only as the first non-blank
 * character of a line, and C comments may span lines.
 */
export function splitStatements(source: string): SplitResult {
  const statements: Stmt[] = [];
  const problems: SplitResult['problems'] = [];
  const lines = source.split('\n');
  let inComment: { line: number; col: number } | null = null;
  for (let ln = 0; ln < lines.length; ln++) {
    const raw = lines[ln];
    let text = '';
    let i = 0;
    let stmtStart = 0;
    const flush = (endIndex: number) => {
      const piece = text;
      const trimmedStart = piece.length - piece.trimStart().length;
      const body = piece.trim();
      if (body.length > 0) statements.push({ text: body, line: ln + 1, col: stmtStart + trimmedStart });
      text = '';
      stmtStart = endIndex + 1;
    };
    while (i < raw.length) {
      if (inComment) {
        const close = raw.indexOf('*/', i);
        if (close < 0) {
          text += ' '.repeat(raw.length - i);
          i = raw.length;
          break;
        }
        text += ' '.repeat(close + 2 - i);
        i = close + 2;
        inComment = null;
        continue;
      }
      const ch = raw[i];
      if (ch === '"') {
        let j = i + 1;
        while (j < raw.length && raw[j] !== '"') j += raw[j] === '\\' ? 2 : 1;
        text += raw.slice(i, Math.min(j + 1, raw.length));
        i = j + 1;
        continue;
      }
      if (ch === "'") {
        const len = raw[i + 1] === '\\' ? 3 : 2;
        text += raw.slice(i, i + len);
        i += len;
        continue;
      }
      if (ch === '/' && raw[i + 1] === '*') {
        inComment = { line: ln + 1, col: i };
        text += '  ';
        i += 2;
        continue;
      }
      if (ch === '#') break;
      if (ch === '/' && text.trim() === '' && stmtStart === 0) break;
      if (ch === ';') {
        flush(i);
        i++;
        continue;
      }
      text += ch;
      i++;
    }
    flush(raw.length);
  }
  if (inComment) {
    const c = inComment as { line: number; col: number };
    problems.push({ line: c.line, col: c.col, end: c.col + 2, message: 'comment `/*` is never closed with `*/`' });
  }
  return { statements, problems };
}

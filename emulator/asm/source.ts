/** Splits source text into statements: comments removed, `;` separated, line markers followed. */

/** One level of macro or repeat expansion a statement came from; `outer` leads out to the main file. */
export interface Invocation {
  /** "macro `NAME`", "`.rept`", "`.irp`" or "`.irpc`". */
  what: string;
  /** The invoking statement (the body line expanded is the statement's own line, or the previous invocation's). */
  line: number;
  col: number;
  end: number;
  file?: string;
  /** The expansion the invoking statement itself came from. */
  outer?: Invocation;
}

export interface Stmt {
  text: string;
  /** 1-based line where the statement was written (in `file`; for expanded text, the body line). */
  line: number;
  /** 0-based column of the written statement in that line. */
  col: number;
  /** Length of the statement as written (expansion may change `text`). */
  span: number;
  /** Set when the statement comes from an included file (by a `# N "file"` line marker). */
  file?: string;
  /** The line of the main file the statement's bytes belong to: the invocation of a macro, the `#include` of a file. */
  mainLine: number;
  /** `text` is exactly as written, so columns inside it are valid. */
  exact: boolean;
  /** Set for text produced by macro or repeat expansion: the innermost expansion. */
  chain?: Invocation;
}

export interface SplitResult {
  statements: Stmt[];
  problems: { line: number; col: number; end: number; message: string; file?: string }[];
}

/** `# 12 "file.S" 1 3`: the C preprocessor's line marker (GNU as reads it too). */
const lineMarker = /^#\s*(\d+)\s+"((?:[^"\\]|\\.)*)"((?:\s+\d+)*)\s*$/;

/**
 * GNU as for x86 ELF: `#` starts a comment anywhere, `/` starts one only as the first non-blank
 * character of a line, and C comments may span lines. A line marker sets the file and line of
 * the lines after it, so preprocessed text reports positions in the files it came from.
 */
export function splitStatements(source: string): SplitResult {
  const statements: Stmt[] = [];
  const problems: SplitResult['problems'] = [];
  const lines = source.split('\n');
  let inComment: { line: number; col: number; file?: string } | null = null;
  let main: string | undefined;
  let file: string | undefined;
  let logical = 0;
  let lastMainLine = 0;
  let site = 0;
  let seenContent = false;
  // Per-line state lives out here so that `flush` is made once, not once per line.
  let mainLine = 0;
  let fileName: string | undefined;
  let text = '';
  let stmtStart = 0;
  const flush = (endIndex: number) => {
    const piece = text;
    const trimmedStart = piece.length - piece.trimStart().length;
    const body = piece.trim();
    if (body.length > 0) {
      seenContent = true;
      const st: Stmt = { text: body, line: logical, col: stmtStart + trimmedStart, span: body.length, mainLine, exact: true };
      if (fileName !== undefined) st.file = fileName;
      statements.push(st);
    }
    text = '';
    stmtStart = endIndex + 1;
  };
  for (let ln = 0; ln < lines.length; ln++) {
    const raw = lines[ln];
    logical++;
    if (raw.charCodeAt(0) === 35 && !inComment) {
      const m = lineMarker.exec(raw);
      if (m) {
        const name = m[2].replace(/\\(.)/g, '$1');
        if (main === undefined && !seenContent) main = name;
        const inMain = file === undefined;
        const next = name === main ? undefined : name;
        if (inMain && next !== undefined) site = lastMainLine + 1;
        file = next;
        logical = Number(m[1]) - 1;
        continue;
      }
    }
    if (file === undefined) lastMainLine = logical;
    mainLine = file === undefined ? logical : site;
    fileName = file;
    text = '';
    stmtStart = 0;
    let i = 0;
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
        inComment = { line: logical, col: i, file: fileName };
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
    const c = inComment as { line: number; col: number; file?: string };
    problems.push({ line: c.line, col: c.col, end: c.col + 2, message: 'comment `/*` is never closed with `*/`', ...(c.file ? { file: c.file } : {}) });
  }
  return { statements, problems };
}

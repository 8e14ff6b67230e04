/** Tokens of one statement. Columns are 0-based offsets into the source line. */

export type TokenKind = 'id' | 'num' | 'str' | 'reg' | 'op' | 'local' | 'eol';

export interface Token {
  kind: TokenKind;
  text: string;
  col: number;
  end: number;
  /** Numbers and character constants. */
  value?: bigint;
  /** Decoded bytes of a string literal. */
  bytes?: number[];
  /** Local label reference `1f` / `1b`. */
  local?: { label: string; dir: 'f' | 'b' };
}

export class LexError extends Error {
  constructor(message: string, readonly col: number, readonly end: number) {
    super(message);
  }
}

const twoCharOps = new Set(['<<', '>>', '==', '!=', '<>', '<=', '>=', '&&', '||']);
const twoCharStart = '<>=!&|';

// Character classes by code: the lexer runs on every statement, and a regular expression per character costs.
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}
function isWordCode(c: number): boolean {
  return isLetter(c) || isDigit(c) || c === 95;
}
function isIdentStartCode(c: number): boolean {
  return isLetter(c) || c === 95 || c === 46 || c === 36;
}
function isIdentPartCode(c: number): boolean {
  return isIdentStartCode(c) || isDigit(c) || c === 64;
}

function utf8(cp: number): number[] {
  if (cp < 0x800) return [0xc0 | (cp >> 6), 0x80 | (cp & 63)];
  if (cp < 0x10000) return [0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63)];
  return [0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63)];
}

/** Reads escape sequences the way GNU as does inside "..." strings. */
function readString(text: string, start: number): { bytes: number[]; end: number } {
  const bytes: number[] = [];
  let i = start + 1;
  while (i < text.length && text[i] !== '"') {
    const ch = text[i];
    if (ch !== '\\') {
      const code = text.charCodeAt(i);
      if (code < 0x80) bytes.push(code);
      else {
        const cp = text.codePointAt(i)!;
        bytes.push(...utf8(cp));
        i += cp > 0xffff ? 2 : 1;
        continue;
      }
      i++;
      continue;
    }
    i++;
    const esc = text[i];
    if (esc === undefined) break;
    const simple: Record<string, number> = { b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 92, '"': 34, "'": 39, a: 7, e: 27 };
    if (esc in simple) {
      bytes.push(simple[esc]);
      i++;
    } else if (esc === 'x' || esc === 'X') {
      i++;
      let v = 0;
      let n = 0;
      while (i < text.length && /[0-9a-fA-F]/.test(text[i])) {
        v = (v * 16 + parseInt(text[i], 16)) & 0xff;
        i++;
        n++;
      }
      if (n === 0) throw new LexError('`\\x` in a string needs hex digits', start, i);
      bytes.push(v);
    } else if (/[0-7]/.test(esc)) {
      let v = 0;
      let n = 0;
      while (n < 3 && i < text.length && /[0-7]/.test(text[i])) {
        v = v * 8 + Number(text[i]);
        i++;
        n++;
      }
      bytes.push(v & 0xff);
    } else {
      bytes.push(text.charCodeAt(i));
      i++;
    }
  }
  if (i >= text.length) throw new LexError('missing closing `"` of a string', start, text.length);
  return { bytes, end: i + 1 };
}

function parseNumber(word: string): bigint | null {
  const w = word.toLowerCase();
  try {
    if (/^0x[0-9a-f]+$/.test(w)) return BigInt(w);
    if (/^0b[01]+$/.test(w)) return BigInt(w);
    if (/^0[0-7]+$/.test(w)) return BigInt(`0o${w.slice(1)}`);
    if (/^[0-9]+$/.test(w)) return BigInt(w);
  } catch (_) {
    return null;
  }
  return null;
}

/**
 * Splits a statement into tokens. `%name` is a register token only when `percentRegisters` (AT&T
 * syntax and Intel with `prefix`); otherwise `%` is the modulo operator.
 */
export function tokenize(text: string, base: number, opts: { intel: boolean; percentRegisters: boolean }): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch === ' ' || ch === '\t' || ch === '\r' || ch === '\f' || ch === '\v') {
      i++;
      continue;
    }
    const start = i;
    if (ch === '"') {
      const s = readString(text, i);
      i = s.end;
      out.push({ kind: 'str', text: text.slice(start, i), col: base + start, end: base + i, bytes: s.bytes });
      continue;
    }
    if (ch === "'") {
      // GNU as: 'c is a character constant; a closing quote is optional.
      let v: number;
      i++;
      if (text[i] === '\\') {
        const s = readString(`"${text.slice(i, i + 5)}"`, 0);
        v = s.bytes[0] ?? 0;
        const consumed = /^\\(x[0-9a-fA-F]{1,2}|[0-7]{1,3}|.)/.exec(text.slice(i))?.[0].length ?? 1;
        i += consumed;
      } else if (i < text.length) {
        v = text.charCodeAt(i);
        i++;
      } else throw new LexError('character constant without a character', base + start, base + i);
      if (text[i] === "'") i++;
      out.push({ kind: 'num', text: text.slice(start, i), col: base + start, end: base + i, value: BigInt(v) });
      continue;
    }
    const code = text.charCodeAt(i);
    if (isDigit(code)) {
      let decimal = true;
      while (i < text.length && isWordCode(text.charCodeAt(i))) {
        decimal &&= isDigit(text.charCodeAt(i));
        i++;
      }
      const word = text.slice(start, i);
      // A leading 0 makes it octal.
      const value = decimal && (code !== 48 || word.length === 1) ? BigInt(word) : parseNumber(word);
      if (value !== null) {
        out.push({ kind: 'num', text: word, col: base + start, end: base + i, value });
        continue;
      }
      const local = /^([0-9]+)([fb])$/i.exec(word);
      if (local) {
        out.push({ kind: 'local', text: word, col: base + start, end: base + i, local: { label: local[1], dir: local[2].toLowerCase() as 'f' | 'b' } });
      } else {
        throw new LexError(`invalid number \`${word}\``, base + start, base + i);
      }
      continue;
    }
    if (code === 37 && opts.percentRegisters && i + 1 < text.length && isLetter(text.charCodeAt(i + 1))) {
      i++;
      while (i < text.length && (isLetter(text.charCodeAt(i)) || isDigit(text.charCodeAt(i)))) i++;
      out.push({ kind: 'reg', text: text.slice(start + 1, i), col: base + start, end: base + i });
      continue;
    }
    if (isIdentStartCode(code) && !(code === 36 && !opts.intel)) {
      i++;
      while (i < text.length && isIdentPartCode(text.charCodeAt(i))) i++;
      out.push({ kind: 'id', text: text.slice(start, i), col: base + start, end: base + i });
      continue;
    }
    const two = twoCharStart.includes(ch) ? text.slice(i, i + 2) : '';
    if (twoCharOps.has(two)) {
      i += 2;
      out.push({ kind: 'op', text: two, col: base + start, end: base + i });
      continue;
    }
    if ('+-*/%()[],:$~!&|^<>=@{}\\'.includes(ch)) {
      i++;
      out.push({ kind: 'op', text: ch, col: base + start, end: base + i });
      continue;
    }
    throw new LexError(`unexpected character \`${ch}\``, base + start, base + start + 1);
  }
  out.push({ kind: 'eol', text: '', col: base + text.length, end: base + text.length });
  return out;
}

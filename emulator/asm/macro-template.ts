/**
 * Parameter substitution into macro body lines (binutils macro.c `macro_expand_body`). Where a
 * line can change depends only on its text and the mode, never on the values, so each line is
 * cut into pieces once and every expansion just joins them.
 */
import { isNameStart, readName, skipComma, skipWhite } from './macro-text.ts';

/** Literal text, a parameter (or LOCAL) with the text kept when it has no value, `\@`, or a `LOCAL` declaration. */
type Piece = string | { name: string; fallback: string } | { counter: true } | { locals: string[] };
export type Template = readonly Piece[];

/** How a line is read: GNU as's normal mode, `.altmacro` (every name may be a parameter), and `.altmacro` with `LOCAL`. */
export type SubstituteMode = 'normal' | 'alt' | 'alt-local';

export interface SubstituteOptions {
  /** `\@`: the number of macro expansions so far. */
  counter: number;
  /** Macros (not repeats) read `LOCAL name, ...` in `.altmacro` mode; it names a fresh `.LL` symbol. */
  local: ((name: string) => string | null) | null;
}

export function compileLine(text: string, mode: SubstituteMode): Template {
  const alt = mode !== 'normal';
  const pieces: Piece[] = [];
  let lit = '';
  const piece = (p: Piece) => {
    if (lit !== '') pieces.push(lit);
    lit = '';
    pieces.push(p);
  };
  let inQuote = false;
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '&') {
      const t = readName(text, i + 1, alt);
      piece({ name: t.name, fallback: `&${t.name}${t.end > i + 1 + t.name.length ? '&' : ''}` });
      i = t.end;
      continue;
    }
    if (ch === '\\') {
      const next = text[i + 1];
      if (next === '(') {
        const close = text.indexOf(')', i + 2);
        lit += close < 0 ? text.slice(i + 2) : text.slice(i + 2, close);
        i = close < 0 ? text.length : close + 1;
        continue;
      }
      if (next === '@') {
        piece({ counter: true });
        i += 2;
        continue;
      }
      if (next === '&') {
        lit += '\\&';
        i += 2;
        continue;
      }
      const t = readName(text, i + 1, alt);
      piece({ name: t.name, fallback: `\\${t.name}` });
      i = t.end;
      continue;
    }
    if (alt && isNameStart(ch)) {
      if (mode === 'alt-local' && !inQuote && /^local[ \t]/i.test(text.slice(i, i + 6))) {
        const locals: string[] = [];
        i = skipWhite(text, i + 5);
        while (i < text.length) {
          const t = readName(text, i, alt);
          if (t.name === '') break;
          locals.push(t.name);
          i = skipComma(text, t.end);
        }
        piece({ locals });
        continue;
      }
      const t = readName(text, i, alt);
      piece({ name: t.name, fallback: t.name });
      i = t.end;
      continue;
    }
    if (ch === '"') inQuote = !inQuote;
    lit += ch;
    i++;
  }
  if (lit !== '' || pieces.length === 0) pieces.push(lit);
  return pieces;
}

/** One expansion of a line. `values` holds actual-or-default per parameter; a `LOCAL` adds to it. */
export function expandLine(t: Template, values: Map<string, string>, o: SubstituteOptions): string {
  if (t.length === 1 && typeof t[0] === 'string') return t[0];
  let out = '';
  for (const p of t) {
    if (typeof p === 'string') out += p;
    else if ('name' in p) out += values.get(p.name) ?? p.fallback;
    else if ('counter' in p) out += String(o.counter);
    else
      for (const n of p.locals) {
        const name = o.local ? o.local(n) : null;
        if (name !== null) values.set(n, name);
      }
  }
  return out;
}

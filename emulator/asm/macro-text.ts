/**
 * GNU as's macro text rules (binutils macro.c): reading names and actual arguments
 * (`get_any_string`), in normal and `.altmacro` mode. Substitution is in macro-template.ts.
 */

function startCode(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 46 || c === 36;
}
function partCode(c: number): boolean {
  return startCode(c) || (c >= 48 && c <= 57);
}

export function isNameStart(ch: string | undefined): boolean {
  return ch !== undefined && startCode(ch.charCodeAt(0));
}

/** A name token at `i` (empty if none); in `.altmacro` mode a trailing `&` is consumed as GNU as does. */
export function readName(text: string, i: number, alt: boolean): { name: string; end: number } {
  let j = i;
  if (j < text.length && startCode(text.charCodeAt(j))) {
    j++;
    while (j < text.length && partCode(text.charCodeAt(j))) j++;
  }
  const name = text.slice(i, j);
  if (alt && text[j] === '&') j++;
  return { name, end: j };
}

export function skipWhite(text: string, i: number): number {
  while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i++;
  return i;
}

export function skipComma(text: string, i: number): number {
  i = skipWhite(text, i);
  if (text[i] === ',') i = skipWhite(text, i + 1);
  return i;
}

function isSeparator(ch: string, alt: boolean): boolean {
  return ch === ' ' || ch === '\t' || ch === ',' || ch === '"' || ch === ';' || ch === ')' || ch === '(' || (alt && (ch === '<' || ch === '>'));
}

/** `"..."` (with `""` and `\"` kept as quotes), and in `.altmacro` mode `<...>` with `!` escapes and `'...'`. */
function readQuoted(text: string, i: number, alt: boolean): { value: string; end: number } {
  let out = '';
  while (i < text.length && (text[i] === '"' || (alt && (text[i] === '<' || text[i] === "'")))) {
    if (text[i] === '<') {
      let nest = 0;
      i++;
      while (i < text.length && (text[i] !== '>' || nest)) {
        if (text[i] === '!') {
          i++;
          out += text[i++] ?? '';
          continue;
        }
        if (text[i] === '>') nest--;
        if (text[i] === '<') nest++;
        out += text[i++];
      }
      i++;
      continue;
    }
    const quote = text[i++];
    let escaped = false;
    while (i < text.length) {
      escaped = text[i - 1] === '\\' ? !escaped : false;
      if (alt && text[i] === '!') {
        i++;
        out += text[i++] ?? '';
      } else if (escaped && text[i] === quote) {
        out += quote;
        i++;
      } else {
        if (text[i] === quote) {
          i++;
          if (i >= text.length || text[i] !== quote) break;
        }
        out += text[i++];
      }
    }
  }
  return { value: out, end: i };
}

/** Evaluates `%expr` in `.altmacro` mode: returns the value and where the expression stopped. */
export type PercentEvaluator = (text: string, start: number) => { value: bigint; end: number };

/** One actual argument starting at `i` (after white space). */
export function readArgument(text: string, i: number, alt: boolean, percent: PercentEvaluator): { value: string; end: number } {
  i = skipWhite(text, i);
  if (i >= text.length) return { value: '', end: i };
  const c = text[i];
  if (text.length > i + 2 && text[i + 1] === "'" && /[bBqQhHdD]/.test(c)) {
    let j = i;
    while (j < text.length && !isSeparator(text[j], alt)) j++;
    return { value: text.slice(i, j), end: j };
  }
  if (c === '%' && alt) {
    const r = percent(text, i + 1);
    return { value: r.value.toString(), end: r.end };
  }
  if (c === '"' || (alt && (c === '<' || c === "'"))) {
    const q = readQuoted(text, i, alt);
    return { value: alt && c !== '<' ? `"${q.value}"` : q.value, end: q.end };
  }
  let out = '';
  const brackets: string[] = [];
  while (i < text.length && (brackets.length > 0 || (text[i] !== ' ' && text[i] !== '\t')) && text[i] !== ',' && (text[i] !== '<' || !alt)) {
    const ch = text[i];
    if (ch === '"' || ch === "'") {
      out += text[i++];
      while (i < text.length && text[i] !== ch) out += text[i++];
      if (i >= text.length) return { value: out, end: i };
    } else if (ch === '(' || ch === '[') brackets.push(ch);
    else if ((ch === ')' && brackets.at(-1) === '(') || (ch === ']' && brackets.at(-1) === '[')) brackets.pop();
    out += text[i++];
  }
  return { value: out, end: i };
}

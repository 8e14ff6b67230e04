/** Small text helpers for directive and macro arguments. */

/** The first word of a statement, lowercased (a directive, mnemonic, macro or label name). */
export function firstWord(text: string): string {
  return text.slice(0, firstWordLength(text)).toLowerCase();
}

/** The length of `[.A-Za-z_$][\w.$@]*` at the start, scanned by character code since every statement needs it. */
export function firstWordLength(text: string): number {
  if (text.length === 0 || !wordStart(text.charCodeAt(0))) return 0;
  let i = 1;
  while (i < text.length && wordPart(text.charCodeAt(i))) i++;
  return i;
}

function wordStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 46 || c === 36;
}
function wordPart(c: number): boolean {
  return wordStart(c) || (c >= 48 && c <= 57) || c === 64;
}

export function unquote(s: string): string {
  const t = s.trim();
  return t.startsWith('"') && t.endsWith('"') && t.length >= 2 ? t.slice(1, -1) : t;
}

/** Splits directive arguments at top-level commas, keeping strings intact. */
export function splitArgs(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let curr = '';
  let inStr = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inStr) {
      curr += ch;
      if (ch === '\\') curr += text[++i] ?? '';
      else if (ch === '"') inStr = false;
      continue;
    }
    if (ch === '"') inStr = true;
    if (ch === '(' || ch === '[') depth++;
    if (ch === ')' || ch === ']') depth--;
    if (ch === ',' && depth === 0) {
      out.push(curr);
      curr = '';
      continue;
    }
    curr += ch;
  }
  if (curr.trim() !== '' || out.length > 0) out.push(curr);
  return out;
}


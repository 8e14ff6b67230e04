/**
 * The C preprocessor for `.S` sources, as `gcc -E -x assembler-with-cpp` runs it: object- and
 * function-like `#define`, `#undef`, conditionals with `defined`, `#include "..."`, `#error`.
 * Output carries `# N "file"` line markers, so the assembler reports positions in the original
 * files; a problem becomes an `.error` statement at its line, reported like any other.
 */
import type { IncludeReader } from './types.ts';

interface Define {
  params: string[] | null;
  variadic: boolean;
  body: string;
}

export interface PreprocessOptions {
  file: string;
  include?: IncludeReader;
  bits?: 16 | 32 | 64;
}

const MAX_INCLUDE_DEPTH = 32;
const directiveLine = /^\s*#\s*(include|define|undef|ifdef|ifndef|if|elif|else|endif|error|warning|pragma|line)\b/;

/** `.S` files are preprocessed, `.s` never; a file with no name is when its first line is a preprocessor directive. */
export function wantsPreprocessor(source: string, fileName?: string): boolean {
  if (fileName?.endsWith('.S')) return true;
  if (fileName?.endsWith('.s')) return false;
  const first = source.split('\n', 1)[0];
  return directiveLine.test(first);
}

const ident = /[A-Za-z_][A-Za-z0-9_]*/y;

function quote(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

class CppError extends Error {}

export function preprocess(source: string, options: PreprocessOptions): string {
  const defines = new Map<string, Define>();
  const object = (body: string): Define => ({ params: null, variadic: false, body });
  defines.set('__ASSEMBLER__', object('1'));
  defines.set('__ELF__', object('1'));
  if ((options.bits ?? 64) === 64) for (const n of ['__x86_64__', '__x86_64', '__amd64__', '__amd64', '__LP64__', '_LP64']) defines.set(n, object('1'));
  else for (const n of ['__i386__', '__i386', 'i386']) defines.set(n, object('1'));
  const out: string[] = [];

  // ---------------------------------------------------------------- macro expansion

  const expand = (text: string, active: Set<string>): string => {
    let result = '';
    let i = 0;
    while (i < text.length) {
      const ch = text[i];
      if (ch === '"' || (ch === "'" && text[i + 2] === "'")) {
        const close = ch === "'" ? i + 2 : findQuoteEnd(text, i);
        result += text.slice(i, close + 1);
        i = close + 1;
        continue;
      }
      if (/[0-9]/.test(ch)) {
        const m = /[0-9A-Za-z_.]*/y;
        m.lastIndex = i;
        m.exec(text);
        result += text.slice(i, m.lastIndex);
        i = m.lastIndex;
        continue;
      }
      ident.lastIndex = i;
      const m = ident.exec(text);
      if (!m) {
        result += ch;
        i++;
        continue;
      }
      const name = m[0];
      const end = i + name.length;
      const def = defines.get(name);
      if (!def || active.has(name)) {
        result += name;
        i = end;
        continue;
      }
      if (def.params === null) {
        result += expand(def.body, new Set([...active, name]));
        i = end;
        continue;
      }
      let j = end;
      while (text[j] === ' ' || text[j] === '\t') j++;
      if (text[j] !== '(') {
        result += name;
        i = end;
        continue;
      }
      const call = readCallArgs(text, j);
      if (!call) throw new CppError(`unterminated argument list invoking macro "${name}"`);
      const args = call.args.length === 1 && call.args[0].trim() === '' && def.params.length === 0 ? [] : call.args;
      if (def.variadic ? args.length < def.params.length : args.length !== Math.max(def.params.length, 1) && !(def.params.length === 0 && args.length === 0)) {
        throw new CppError(`macro "${name}" takes ${def.params.length} argument${def.params.length === 1 ? '' : 's'}, but ${args.length} given`);
      }
      const named = new Map<string, string>();
      def.params.forEach((p, k) => named.set(p, (args[k] ?? '').trim()));
      if (def.variadic) named.set('__VA_ARGS__', args.slice(def.params.length).join(',').trim());
      const substituted = substituteBody(def.body, named, (a) => expand(a, active));
      result += expand(substituted, new Set([...active, name]));
      i = call.end;
    }
    return result;
  };

  // ---------------------------------------------------------------- #if expressions

  const evaluateIf = (text: string): bigint => {
    const withDefined = text.replace(/\bdefined\s*(?:\(\s*([A-Za-z_]\w*)\s*\)|([A-Za-z_]\w*))/g, (_all, a: string | undefined, b: string | undefined) => (defines.has((a ?? b)!) ? '1' : '0'));
    const expanded = expand(withDefined, new Set()).replace(/\b[A-Za-z_]\w*\b/g, '0');
    return new IfParser(expanded).parse();
  };

  // ---------------------------------------------------------------- files

  const run = (text: string, file: string, depth: number): void => {
    const lines = text.split('\n');
    const stack: { active: boolean; taken: boolean; parent: boolean; line: number }[] = [];
    const active = () => stack.length === 0 || stack[stack.length - 1].active;
    let inComment = false;
    for (let n = 0; n < lines.length; n++) {
      const lineNo = n + 1;
      let line = lines[n];
      let extra = 0;
      while (line.endsWith('\\') && n + 1 + extra < lines.length) {
        extra++;
        line = line.slice(0, -1) + lines[n + extra];
      }
      const stripped = stripComments(line, inComment);
      inComment = stripped.inComment;
      line = stripped.text;
      const emitProblem = (kind: 'error' | 'warning', message: string) => {
        out.push(`# ${lineNo} ${quote(file)}`, `.${kind} ${quote(message)}`);
        out.push(`# ${lineNo + 1 + extra} ${quote(file)}`);
      };
      const d = /^\s*#\s*([A-Za-z_]+)?(.*)$/.exec(line);
      if (d && (d[1] === undefined || directiveLine.test(`#${d[1]}`))) {
        const word = d[1] ?? '';
        const rest = d[2].trim();
        try {
          if (word === 'ifdef' || word === 'ifndef' || word === 'if') {
            const parent = active();
            const v = parent && (word === 'if' ? evaluateIf(rest) !== 0n : defines.has(rest.split(/\s/)[0]) === (word === 'ifdef'));
            stack.push({ active: v, taken: v, parent, line: lineNo });
          } else if (word === 'elif') {
            const top = stack[stack.length - 1];
            if (!top) throw new CppError('#elif without #if');
            const v = top.parent && !top.taken && evaluateIf(rest) !== 0n;
            top.active = v;
            top.taken ||= v;
          } else if (word === 'else') {
            const top = stack[stack.length - 1];
            if (!top) throw new CppError('#else without #if');
            top.active = top.parent && !top.taken;
            top.taken = true;
          } else if (word === 'endif') {
            if (!stack.pop()) throw new CppError('#endif without #if');
          } else if (active()) {
            if (word === 'define') define(defines, rest);
            else if (word === 'undef') defines.delete(rest.trim());
            else if (word === 'error') throw new CppError(`#error ${rest}`);
            else if (word === 'warning') emitProblem('warning', `#warning ${rest}`);
            else if (word === 'include') {
              const m = /^"([^"]+)"|^<([^>]+)>/.exec(rest);
              if (!m) throw new CppError('#include expects "FILENAME"');
              if (m[2] !== undefined) throw new CppError(`#include <${m[2]}>: system headers are not available; include files of the exercise with #include "..."`);
              if (depth >= MAX_INCLUDE_DEPTH) throw new CppError(`#include nested more than ${MAX_INCLUDE_DEPTH} deep`);
              if (!options.include) throw new CppError(`#include "${m[1]}": there are no other files here to include (only this one source)`);
              const got = options.include(m[1], file);
              if (!got.ok) throw new CppError(got.error);
              out.push(`# 1 ${quote(got.file)} 1`);
              run(got.text, got.file, depth + 1);
              out.push(`# ${lineNo + 1 + extra} ${quote(file)} 2`);
              n += extra;
              continue;
            }
          }
        } catch (e) {
          if (!(e instanceof CppError)) throw e;
          emitProblem('error', e.message);
          n += extra;
          continue;
        }
        out.push('');
      } else if (active()) {
        try {
          out.push(expand(line, new Set()).replace(/\b__LINE__\b/g, String(lineNo)).replace(/\b__FILE__\b/g, quote(file)));
        } catch (e) {
          if (!(e instanceof CppError)) throw e;
          emitProblem('error', e.message);
          n += extra;
          continue;
        }
      } else out.push('');
      for (let k = 0; k < extra; k++) out.push('');
      n += extra;
    }
    for (const open of stack) {
      out.push(`# ${open.line} ${quote(file)}`, `.error ${quote('unterminated #if (no #endif)')}`);
    }
  };

  out.push(`# 1 ${quote(options.file)}`);
  run(source, options.file, 0);
  return out.join('\n');
}

function findQuoteEnd(text: string, i: number): number {
  let j = i + 1;
  while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
  return Math.min(j, text.length - 1);
}

function readCallArgs(text: string, open: number): { args: string[]; end: number } | null {
  const args: string[] = [];
  let depth = 0;
  let cur = '';
  for (let i = open + 1; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') {
      const close = findQuoteEnd(text, i);
      cur += text.slice(i, close + 1);
      i = close;
      continue;
    }
    if (ch === '(') depth++;
    if (ch === ')') {
      if (depth === 0) {
        args.push(cur);
        return { args, end: i + 1 };
      }
      depth--;
    }
    if (ch === ',' && depth === 0) {
      args.push(cur);
      cur = '';
      continue;
    }
    cur += ch;
  }
  return null;
}

/** Parameters replaced; `#param` stringified, `a ## b` pasted; other arguments fully expanded first. */
function substituteBody(body: string, args: Map<string, string>, expandArg: (a: string) => string): string {
  const tokens = body.split(/(\s*##\s*|#\s*[A-Za-z_]\w*|[A-Za-z_]\w*)/).filter((t) => t !== '');
  let out = '';
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k];
    if (/^\s*##\s*$/.test(t)) {
      out = out.replace(/\s+$/, '');
      const next = tokens[k + 1];
      if (next !== undefined) {
        out += args.has(next) ? args.get(next)! : next.replace(/^\s+/, '');
        k++;
      }
      continue;
    }
    const str = /^#\s*([A-Za-z_]\w*)$/.exec(t);
    if (str && args.has(str[1])) {
      out += quote(args.get(str[1])!);
      continue;
    }
    if (args.has(t)) {
      const pasteNext = /^\s*##/.test(tokens[k + 1] ?? '');
      out += pasteNext ? args.get(t)! : expandArg(args.get(t)!);
      continue;
    }
    out += t;
  }
  return out;
}

function define(defines: Map<string, Define>, rest: string): void {
  const m = /^([A-Za-z_]\w*)(\(([^)]*)\))?\s*(.*)$/.exec(rest);
  if (!m) throw new CppError(`#define needs a macro name, not \`${rest}\``);
  if (m[2] === undefined) {
    defines.set(m[1], { params: null, variadic: false, body: m[4].trim() });
    return;
  }
  let params = m[3].split(',').map((p) => p.trim()).filter((p) => p !== '');
  const variadic = params.at(-1) === '...';
  if (variadic) params = params.slice(0, -1);
  for (const p of params) if (!/^[A-Za-z_]\w*$/.test(p)) throw new CppError(`#define ${m[1]}: \`${p}\` is not a parameter name`);
  defines.set(m[1], { params, variadic, body: m[4].trim() });
}

/** C comments go, as in cpp; `#` comments of assembly stay (they are not directives). */
function stripComments(line: string, inComment: boolean): { text: string; inComment: boolean } {
  let out = '';
  let i = 0;
  while (i < line.length) {
    if (inComment) {
      const close = line.indexOf('*/', i);
      if (close < 0) return { text: out, inComment: true };
      out += ' ';
      i = close + 2;
      inComment = false;
      continue;
    }
    const ch = line[i];
    if (ch === '"') {
      const close = findQuoteEnd(line, i);
      out += line.slice(i, close + 1);
      i = close + 1;
      continue;
    }
    if (ch === '/' && line[i + 1] === '*') {
      inComment = true;
      i += 2;
      continue;
    }
    if (ch === '/' && line[i + 1] === '/') break;
    out += ch;
    i++;
  }
  return { text: out, inComment };
}

/** `#if` arithmetic: C's operators on 64-bit integers. */
class IfParser {
  private pos = 0;
  private readonly toks: string[];
  constructor(text: string) {
    this.toks = text.match(/0[xX][0-9a-fA-F]+[uUlL]*|\d+[uUlL]*|'(?:\\.|[^'])'|<<|>>|<=|>=|==|!=|&&|\|\||[-+*/%<>&|^!~?:()]/g) ?? [];
  }
  parse(): bigint {
    const v = this.ternary();
    if (this.pos < this.toks.length) throw new CppError(`#if: unexpected \`${this.toks[this.pos]}\``);
    return v;
  }
  private peek(): string | undefined {
    return this.toks[this.pos];
  }
  private ternary(): bigint {
    const c = this.binary(0);
    if (this.peek() !== '?') return c;
    this.pos++;
    const a = this.ternary();
    if (this.toks[this.pos++] !== ':') throw new CppError('#if: `?` without `:`');
    const b = this.ternary();
    return c !== 0n ? a : b;
  }
  private static levels = [['||'], ['&&'], ['|'], ['^'], ['&'], ['==', '!='], ['<', '>', '<=', '>='], ['<<', '>>'], ['+', '-'], ['*', '/', '%']];
  private binary(level: number): bigint {
    if (level === IfParser.levels.length) return this.unary();
    let v = this.binary(level + 1);
    while (IfParser.levels[level].includes(this.peek() ?? '')) {
      const op = this.toks[this.pos++];
      const w = this.binary(level + 1);
      v = BigInt.asIntN(64, apply(op, v, w));
    }
    return v;
  }
  private unary(): bigint {
    const t = this.toks[this.pos++];
    if (t === undefined) throw new CppError('#if: missing expression');
    if (t === '(') {
      const v = this.ternary();
      if (this.toks[this.pos++] !== ')') throw new CppError('#if: missing `)`');
      return v;
    }
    if (t === '-') return -this.unary();
    if (t === '+') return this.unary();
    if (t === '!') return this.unary() === 0n ? 1n : 0n;
    if (t === '~') return ~this.unary();
    if (t.startsWith("'")) return BigInt(t.length === 3 ? t.charCodeAt(1) : t.charCodeAt(2));
    if (/^\d/.test(t)) {
      const digits = t.replace(/[uUlL]+$/, '');
      return BigInt(/^0[0-7]+$/.test(digits) ? `0o${digits.slice(1)}` : digits);
    }
    throw new CppError(`#if: unexpected \`${t}\``);
  }
}

function apply(op: string, a: bigint, b: bigint): bigint {
  const bool = (x: boolean) => (x ? 1n : 0n);
  switch (op) {
    case '||': return bool(a !== 0n || b !== 0n);
    case '&&': return bool(a !== 0n && b !== 0n);
    case '|': return a | b;
    case '^': return a ^ b;
    case '&': return a & b;
    case '==': return bool(a === b);
    case '!=': return bool(a !== b);
    case '<': return bool(a < b);
    case '>': return bool(a > b);
    case '<=': return bool(a <= b);
    case '>=': return bool(a >= b);
    case '<<': return a << b;
    case '>>': return a >> b;
    case '+': return a + b;
    case '-': return a - b;
    case '*': return a * b;
    case '/': if (b === 0n) throw new CppError('#if: division by zero'); return a / b;
    default: if (b === 0n) throw new CppError('#if: division by zero'); return a % b;
  }
}

/** `.macro`, `.rept`, `.irp`, `.irpc`: collecting bodies, reading arguments and expanding, as GNU as does. */
import { ExprError, TokenCursor, parseExpr } from './expr.ts';
import { MAX_EXPANDED_LINE, MAX_MACRO_DEPTH, MAX_STATEMENTS, type AssemblerCore } from './core.ts';
import { isNameStart, readArgument, readName, skipComma, skipWhite, type PercentEvaluator } from './macro-text.ts';
import { compileLine, expandLine, type SubstituteMode, type Template } from './macro-template.ts';
import type { Invocation, Stmt } from './source.ts';
import type { Loc, Macro } from './model.ts';

const repeatOpeners = new Set(['.rept', '.rep', '.irp', '.irpc', '.irep', '.irepc']);

/** While a body is being collected every statement (`word` is its first word) goes to it; returns false when nothing is being collected. */
export function collectBodyLine(a: AssemblerCore, st: Stmt, word: string): boolean {
  const c = a.collecting;
  if (!c) return false;
  const opens = c.kind === 'macro' ? word === '.macro' : repeatOpeners.has(word);
  const closes = c.kind === 'macro' ? word === '.endm' || word === '.endmacro' : word === '.endr';
  if (opens) c.depth++;
  if (closes && --c.depth === 0) {
    a.collecting = null;
    c.finish(c.body);
    return true;
  }
  c.body.push(st);
  return true;
}

function pushFrame(a: AssemblerCore, st: Stmt, stmts: Stmt[], macro: boolean): void {
  const depth = (a.frames[a.frames.length - 1]?.depth ?? 0) + 1;
  if (depth > MAX_MACRO_DEPTH) {
    a.error(`macros nested more than ${MAX_MACRO_DEPTH} deep (a macro that calls itself without end?)`, a.stmtLoc(st));
    return;
  }
  a.frames.push({ stmts, i: 0, macro, depth, condDepth: a.conds.length });
}

/** One object per expansion, linked to the outer ones: the list a diagnostic shows is only made when one is reported. */
function invocation(st: Stmt, what: string): Invocation {
  const inv: Invocation = { what, line: st.line, col: st.col, end: st.col + st.span };
  if (st.file !== undefined) inv.file = st.file;
  if (st.chain) inv.outer = st.chain;
  return inv;
}

/** The statement a body line becomes in one expansion: written where the body is, its bytes on the invocation's line. */
function expanded(b: Stmt, text: string, st: Stmt, chain: Invocation): Stmt {
  if (text.length > MAX_EXPANDED_LINE) throw new ExprError(`a macro expansion produced a line longer than ${MAX_EXPANDED_LINE} characters`, st.col, st.col + st.span);
  const out: Stmt = { text: text.trim(), line: b.line, col: b.col, span: b.span, mainLine: st.mainLine, exact: b.exact && text === b.text, chain };
  if (b.file !== undefined) out.file = b.file;
  return out;
}

const compiled: Record<SubstituteMode, WeakMap<Stmt[], Template[]>> = { normal: new WeakMap(), alt: new WeakMap(), 'alt-local': new WeakMap() };

/** A body's lines cut for substitution, once per body and mode rather than once per expansion. */
function templates(body: Stmt[], mode: SubstituteMode): Template[] {
  let t = compiled[mode].get(body);
  if (!t) {
    t = body.map((b) => compileLine(b.text, mode));
    compiled[mode].set(body, t);
  }
  return t;
}

function percentEvaluator(a: AssemblerCore, col: number): PercentEvaluator {
  return (text, start) => {
    const cur = new TokenCursor(a.tokens(text.slice(start), col + start));
    const e = parseExpr(cur, a.exprHooks);
    const value = a.constant(e, '`%` (the value of an expression, in `.altmacro` mode)');
    return { value, end: cur.peek().col - col };
  };
}

// ---------------------------------------------------------------- .macro

export function defineMacro(a: AssemblerCore, st: Stmt, rest: string, loc: Loc): void {
  const alt = a.altmacro;
  const head = readName(rest, skipWhite(rest, 0), alt);
  const name = head.name.toLowerCase();
  const problems: string[] = [];
  const params: Macro['params'] = [];
  if (name === '') problems.push('`.macro` needs a name');
  else {
    let i = skipComma(rest, head.end);
    const percent = percentEvaluator(a, 0);
    while (i < rest.length) {
      const p = readName(rest, i, alt);
      if (p.name === '') break;
      i = skipWhite(rest, p.end);
      const param = { name: p.name, def: null as string | null, required: false, vararg: false };
      if (rest[i] === ':') {
        const q = readName(rest, skipWhite(rest, i + 1), alt);
        if (q.name === 'req') param.required = true;
        else if (q.name === 'vararg') param.vararg = true;
        else problems.push(q.name === '' ? `missing parameter qualifier for \`${p.name}\` in macro \`${name}\`` : `\`${q.name}\` is not a valid parameter qualifier for \`${p.name}\` in macro \`${name}\` (use :req or :vararg)`);
        i = skipWhite(rest, q.end);
      }
      if (rest[i] === '=') {
        const d = readArgument(rest, i + 1, alt, percent);
        i = skipWhite(rest, d.end);
        if (param.required) a.warn(`pointless default value for required parameter \`${p.name}\` in macro \`${name}\``, loc);
        else param.def = d.value;
      }
      if (params.some((x) => x.name === param.name)) problems.push(`a parameter named \`${param.name}\` already exists for macro \`${name}\``);
      else params.push(param);
      if (param.vararg) break;
      const before = i;
      i = skipComma(rest, i);
      if (i !== before && i >= rest.length) {
        i = before;
        break;
      }
    }
    if (i < rest.length && problems.length === 0) problems.push(`bad parameter list for macro \`${name}\`: \`${rest.slice(i)}\``);
    if (problems.length === 0 && a.macros.has(name)) problems.push(`macro \`${name}\` is already defined on line ${a.macros.get(name)!.line} (\`.purgem ${name}\` first to redefine it)`);
  }
  for (const p of problems) a.error(p, loc);
  a.collecting = {
    kind: 'macro', depth: 1, body: [], start: st,
    finish: (body) => {
      if (problems.length === 0) a.macros.set(name, { name: head.name, params, body, line: st.line });
    },
  };
}

export function invokeMacro(a: AssemblerCore, st: Stmt, macro: Macro, rest: string, restCol: number): void {
  const loc = a.stmtLoc(st);
  const alt = a.altmacro;
  const percent = percentEvaluator(a, restCol);
  const actual = new Map<string, string>();
  let positional = 0;
  let keyword = false;
  let i = skipWhite(rest, 0);
  while (i < rest.length) {
    let scan = i;
    if (!alt) while (scan < rest.length && rest[scan] !== '=' && !' \t,";)('.includes(rest[scan])) scan++;
    if (!alt && rest[scan] === '=' && isNameStart(rest[i])) {
      keyword = true;
      const k = readName(rest, i, alt);
      const v = readArgument(rest, k.end + 1, alt, percent);
      if (!macro.params.some((p) => p.name === k.name)) a.error(`macro \`${macro.name}\` has no parameter named \`${k.name}\``, loc);
      else {
        if (actual.has(k.name)) a.warn(`value for parameter \`${k.name}\` of macro \`${macro.name}\` was already given`, loc);
        actual.set(k.name, v.value);
      }
      i = v.end;
    } else {
      if (keyword) return a.error(`macro \`${macro.name}\`: positional arguments cannot follow keyword arguments`, loc);
      const p = macro.params[positional++];
      if (!p) return a.error(`too many arguments to macro \`${macro.name}\` (it takes ${macro.params.length})`, a.at(st, restCol + i, restCol + rest.length));
      if (p.vararg) {
        actual.set(p.name, rest.slice(i));
        i = rest.length;
      } else {
        const v = readArgument(rest, i, alt, percent);
        actual.set(p.name, v.value);
        i = v.end;
      }
    }
    i = skipComma(rest, i);
  }
  const values = new Map<string, string>();
  for (const p of macro.params) {
    const v = actual.get(p.name) ?? '';
    if (p.required && v === '') a.error(`macro \`${macro.name}\` needs a value for parameter \`${p.name}\``, loc);
    values.set(p.name, v !== '' ? v : (p.def ?? ''));
  }
  const local = alt
    ? (name: string) => {
        if (values.has(name)) {
          a.error(`\`${name}\` is already a parameter (or another LOCAL) of macro \`${macro.name}\``, loc);
          return null;
        }
        return `.LL${(++a.localNameCounter).toString(16).padStart(4, '0')}`;
      }
    : null;
  const options = { counter: a.macroCounter, local };
  const chain = invocation(st, `macro \`${macro.name}\``);
  const lines = templates(macro.body, alt ? 'alt-local' : 'normal');
  const stmts = macro.body.map((b, k) => expanded(b, expandLine(lines[k], values, options), st, chain));
  a.macroCounter++;
  pushFrame(a, st, stmts.filter((s) => s.text !== ''), true);
}

/** `.exitm`: leaves the innermost macro expansion (and any repeats inside it). */
export function exitMacro(a: AssemblerCore, loc: Loc): void {
  while (a.frames.length > 1) {
    const f = a.frames.pop()!;
    a.conds.length = Math.min(a.conds.length, f.condDepth);
    if (f.macro) return;
  }
  a.error('`.exitm` outside a macro', loc);
}

export function purgeMacro(a: AssemblerCore, rest: string, loc: Loc): void {
  const name = rest.trim().toLowerCase();
  if (!a.macros.delete(name)) a.warn(`no macro named \`${rest.trim()}\` to purge`, loc);
}

// ---------------------------------------------------------------- .rept / .irp / .irpc

export function startRepeat(a: AssemblerCore, st: Stmt, word: string, rest: string, restCol: number, loc: Loc): void {
  const what = `\`${word}\``;
  if (word === '.rept' || word === '.rep') {
    let count = 0n;
    try {
      count = a.constant(a.exprFrom(rest, restCol), `\`${word}\` count`);
    } catch (e) {
      if (e instanceof ExprError) a.error(e.message, a.at(st, e.col, e.end));
      else throw e;
    }
    if (count > BigInt(MAX_STATEMENTS)) {
      a.error(`\`${word} ${count}\` repeats too many times (limit ${MAX_STATEMENTS})`, loc);
      count = 0n;
    }
    a.collecting = {
      kind: 'rept', depth: 1, body: [], start: st,
      finish: (body) => {
        if (count <= 0n || body.length === 0) return;
        if (Number(count) * body.length > MAX_STATEMENTS) {
          a.error(`\`${word} ${count}\` would expand to more than ${MAX_STATEMENTS} statements`, loc);
          return;
        }
        const chain = invocation(st, what);
        const once = body.map((b) => expanded(b, b.text, st, chain));
        const all: Stmt[] = [];
        for (let i = 0n; i < count; i++) all.push(...once);
        pushFrame(a, st, all, false);
      },
    };
    return;
  }
  const alt = a.altmacro;
  const head = readName(rest, skipWhite(rest, 0), alt);
  if (head.name === '') {
    a.error(`\`${word}\` needs a parameter name`, loc);
    a.collecting = { kind: 'rept', depth: 1, body: [], start: st, finish: () => {} };
    return;
  }
  const items: string[] = [];
  let i = skipComma(rest, head.end);
  if (i >= rest.length) items.push('');
  else if (word === '.irp' || word === '.irep') {
    const percent = percentEvaluator(a, restCol);
    while (i < rest.length) {
      const v = readArgument(rest, i, alt, percent);
      items.push(v.value);
      i = skipComma(rest, v.end === i ? i + 1 : v.end);
    }
  } else {
    for (; i < rest.length; i++) if (rest[i] !== '"') items.push(rest[i]);
    if (items.length === 0) items.push('');
  }
  a.collecting = {
    kind: 'rept', depth: 1, body: [], start: st,
    finish: (body) => {
      const chain = invocation(st, what);
      const options = { counter: a.macroCounter, local: null };
      const lines = templates(body, alt ? 'alt' : 'normal');
      const all: Stmt[] = [];
      for (const v of items) {
        const values = new Map([[head.name, v]]);
        for (const [k, b] of body.entries()) {
          const s = expanded(b, expandLine(lines[k], values, options), st, chain);
          if (s.text !== '') all.push(s);
        }
      }
      pushFrame(a, st, all, false);
    },
  };
}

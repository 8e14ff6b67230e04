/**
 * The assembler driver: reads statements in order (expanding macros, repeats and conditionals the
 * way GNU as does), lays sections out with branch relaxation, then encodes the final bytes.
 */
import { ExprError, TokenCursor, evaluate, parseExpr, type EvalContext, type Expr, type ExprParseHooks, type Value } from './expr.ts';
import { LexError, tokenize, type Token } from './lexer.ts';
import { splitStatements, type Stmt } from './source.ts';
import { OperandError, parseAttOperand, parseIntelOperand, setRegisterSuggester, splitOperands, type OpAst } from './operands.ts';
import { lookupRegister, registerNames, type RegInfo } from './encode-registers.ts';
import { resolveMnemonic, type MnemonicInfo } from './mnemonics.ts';
import { EncodeError, candidates, choose, encodeForm, type Choice, type Opnd, type Request } from './encode.ts';
import { allMnemonics, formsOf, OperandKind as K, type Form } from './encode-table.ts';
import { relaxSections } from './layout.ts';
import { applyGasOperandRules } from './gas-rules.ts';
import { buildOutput } from './output.ts';
import { firstWord, firstWordLength, splitArgs, splitParams, unquote } from './directive-args.ts';
import { closest } from './suggest.ts';
import type { AssembleOptions, AssembleResult, Bits, Diagnostic } from './types.ts';
import type { Collecting, Cond, Deferred, Frame, Item, Loc, Macro, PlanOp, Section, Sym } from './model.ts';

const MAX_MACRO_DEPTH = 100;
const MAX_STATEMENTS = 100_000;
const MAX_SECTION_BYTES = 16 * 1024 * 1024;
const MAX_EXPANDED_LINE = 65_536;

/** Thrown (without a stack trace, which is costly) when the first pass meets a symbol not defined yet. */
class Undefined {
  constructor(readonly message: string) {}
}

const prefixBytes: Record<string, number> = {
  lock: 0xf0, rep: 0xf3, repe: 0xf3, repz: 0xf3, repne: 0xf2, repnz: 0xf2,
  data16: 0x66, data32: 0x66, addr16: 0x67, addr32: 0x67, rex64: 0x48, notrack: 0x3e,
  cs: 0x2e, ds: 0x3e, es: 0x26, fs: 0x64, gs: 0x65, ss: 0x36,
};

const hex = (v: bigint) => (v < 0n ? `-0x${(-v).toString(16)}` : `0x${v.toString(16)}`);

export class Assembler {
  private diagnostics: Diagnostic[] = [];
  private sections: Section[] = [];
  private cur!: Section;
  private prevSection: Section | null = null;
  private sectionStack: Section[] = [];
  private symbols = new Map<string, Sym>();
  private localCounts = new Map<string, number>();
  private macros = new Map<string, Macro>();
  private frames: Frame[] = [];
  private conds: Cond[] = [];
  private collecting: Collecting | null = null;
  private bits: Bits;
  private readonly startBits: Bits;
  private intel = false;
  private statementsSeen = 0;
  private macroCounter = 0;
  private ended = false;
  private current: Stmt | null = null;
  private tooBig = false;
  /** All sections together: many sections each under the limit must not add up to unbounded memory. */
  private totalSize = 0;
  private sectionBases: Record<string, bigint> = {};

  constructor(private readonly options: AssembleOptions) {
    this.bits = options.bits ?? 64;
    this.startBits = this.bits;
    for (const [name, v] of Object.entries(options.sectionBases ?? {})) this.sectionBases[name] = BigInt(v);
    for (const [name, v] of Object.entries(options.symbols ?? {})) {
      this.symbols.set(name, { name, kind: 'supplied', sec: -1, value: BigInt(v), expr: null, exprSec: 0, exprItem: 0, known: true, global: false, line: 0, evaluating: false });
    }
    this.cur = this.section('.text');
  }

  // ---------------------------------------------------------------- diagnostics

  private report(severity: 'error' | 'warning', message: string, loc: Loc): void {
    const st = this.current;
    let col = loc.col;
    let end = loc.end;
    if (st?.expansion && st.line === loc.line) {
      col = st.expansion.col;
      end = st.expansion.end;
    }
    this.diagnostics.push({ severity, line: loc.line, column: col + 1, endLine: loc.line, endColumn: Math.max(end, col + 1) + 1, message });
  }
  private error(message: string, loc: Loc): void {
    this.report('error', message, loc);
  }
  private warn(message: string, loc: Loc): void {
    this.report('warning', message, loc);
  }
  private stmtLoc(st: Stmt): Loc {
    if (st.expansion) return { line: st.line, col: st.expansion.col, end: st.expansion.end, invocation: true };
    return { line: st.line, col: st.col, end: st.col + st.text.length };
  }
  private at(st: Stmt, col: number, end: number): Loc {
    if (st.expansion) return { line: st.line, col: st.expansion.col, end: st.expansion.end, invocation: true };
    return { line: st.line, col, end };
  }

  // ---------------------------------------------------------------- sections

  private section(name: string, flags = ''): Section {
    let s = this.sections.find((x) => x.name === name);
    if (!s) {
      const code = name === '.text' || name.startsWith('.text.') || name === '.init' || name === '.fini' || flags.includes('x');
      s = { name, index: this.sections.length, items: [], size: 0, code, base: this.sectionBases[name] ?? 0n };
      this.sections.push(s);
    } else if (flags.includes('x')) s.code = true;
    return s;
  }
  private switchTo(s: Section): void {
    if (s !== this.cur) this.prevSection = this.cur;
    this.cur = s;
  }
  private push(item: Item): void {
    // The first-pass offset; layout measures each pass's growth ("stretch") against it.
    item.offset = this.cur.size;
    this.cur.items.push(item);
    this.cur.size += item.size;
    this.totalSize += item.size;
    if (this.cur.size > MAX_SECTION_BYTES && !this.tooBig) {
      this.tooBig = true;
      this.error(`section ${this.cur.name} grows beyond ${MAX_SECTION_BYTES} bytes; stopping`, item.loc);
    } else if (this.totalSize > MAX_SECTION_BYTES && !this.tooBig) {
      this.tooBig = true;
      this.error(`the sections together grow beyond ${MAX_SECTION_BYTES} bytes; stopping`, item.loc);
    }
  }

  // ---------------------------------------------------------------- symbols and expressions

  private localName(label: string, n: number): string {
    return `.L${label}\u0002${n}`;
  }

  /** Local label references resolve when read: `1b` is the last `1:` so far, `1f` the next one. */
  private readonly exprHooks: ExprParseHooks = {
    localRef: (label, dir, col, end) => {
      const count = this.localCounts.get(label) ?? 0;
      if (dir === 'b') {
        if (count === 0) throw new ExprError(`no local label \`${label}:\` before this \`${label}b\``, col, end);
        return this.localName(label, count);
      }
      return this.localName(label, count + 1);
    },
  };

  private displayName(name: string): string {
    const i = name.indexOf('\u0002');
    if (i < 0) return name;
    return `${name.slice(2, i)} (local label)`;
  }

  private sectionName = (sec: number) => (sec < 0 ? 'absolute' : this.sections[sec].name);

  /** First-pass context: labels give provisional offsets; undefined symbols throw Undefined. */
  private pass1Context(): EvalContext {
    return {
      symbol: (name, col, end) => {
        const s = this.symbols.get(name);
        if (!s) throw new Undefined(name);
        return this.symbolValue(s, col, end, false);
      },
      dot: () => ({ sec: this.cur.index, off: BigInt(this.cur.size + this.dotBias), layout: true }),
      sectionName: this.sectionName,
      warn: (m, col, end) => this.current && this.warn(m, this.at(this.current, col, end)),
    };
  }

  private symbolValue(s: Sym, col: number, end: number, final: boolean): Value {
    if (s.kind === 'label') return { sec: s.sec, off: s.value, layout: true };
    if (s.known) return { sec: -1, off: s.value, layout: false };
    const expr = s.expr;
    // A name only declared by `.globl` is not defined yet: treat it as a forward reference, never as 0.
    if (!expr) {
      if (!final) throw new Undefined(s.name);
      throw new ExprError(`undefined symbol \`${this.displayName(s.name)}\``, col, end);
    }
    if (s.evaluating) throw new ExprError(`symbol \`${s.name}\` is defined in terms of itself`, col, end);
    s.evaluating = true;
    try {
      return evaluate(expr, final ? this.finalContext(s.exprSec, s.exprItem) : this.pass1Context());
    } finally {
      s.evaluating = false;
    }
  }

  private finalContext(sec: number, item: number, bias = 0): EvalContext {
    return {
      symbol: (name, col, end) => {
        const s = this.symbols.get(name);
        if (!s) throw new ExprError(`undefined symbol \`${this.displayName(name)}\``, col, end);
        return this.symbolValue(s, col, end, true);
      },
      dot: () => {
        const section = this.sections[sec];
        const it = section.items[item];
        const at = it ? it.offset : section.items.length ? section.items[section.items.length - 1].offset + section.items[section.items.length - 1].size : 0;
        return { sec, off: BigInt(at + bias), layout: true };
      },
      sectionName: this.sectionName,
    };
  }

  /** Evaluates now if the value is a constant known at this point; otherwise defers to the final pass. */
  private defer(e: Expr): Deferred {
    try {
      const v = evaluate(e, this.pass1Context());
      if (v.sec === -1 && !v.layout) return { known: true, value: v.off };
    } catch (err) {
      if (!(err instanceof Undefined)) throw err;
    }
    return { known: false, expr: e, sec: this.cur.index, item: this.cur.items.length, dot: this.dotBias };
  }

  /** A constant needed right now (.rept counts, .if conditions, sizes). */
  private constant(e: Expr, what: string): bigint {
    let v: Value;
    try {
      v = evaluate(e, this.pass1Context());
    } catch (err) {
      if (err instanceof Undefined) throw new ExprError(`${what} uses \`${this.displayName(err.message)}\`, which is not defined yet`, e.col, e.end);
      throw err;
    }
    if (v.sec !== -1 || v.layout) throw new ExprError(`${what} must be a constant, not an address`, e.col, e.end);
    return v.off;
  }

  /** The final absolute value of a deferred expression (labels become base + offset). */
  private resolve(d: Deferred): bigint {
    if (d.known) return d.value;
    const v = evaluate(d.expr, this.finalContext(d.sec, d.item, d.dot));
    return v.sec === -1 ? v.off : this.sections[v.sec].base + v.off;
  }

  private defineLabel(name: string, loc: Loc): void {
    const existing = this.symbols.get(name);
    if (existing && (existing.kind !== 'equ' || existing.known || existing.expr)) {
      if (existing.kind === 'label' || existing.kind === 'supplied' || existing.kind === 'equ') {
        this.error(`symbol \`${this.displayName(name)}\` is already defined${existing.line ? ` on line ${existing.line}` : ' (supplied by the exercise)'}`, loc);
        return;
      }
    }
    const sym: Sym = { name, kind: 'label', sec: this.cur.index, value: BigInt(this.cur.size), expr: null, exprSec: 0, exprItem: 0, known: false, global: existing?.global ?? false, line: loc.line, evaluating: false };
    this.symbols.set(name, sym);
    this.push({ k: 'label', sym, loc, offset: 0, size: 0 });
  }

  private defineEqu(name: string, e: Expr, loc: Loc, equiv: boolean): void {
    const existing = this.symbols.get(name);
    if (existing && (existing.kind === 'label' || existing.kind === 'supplied' || equiv)) {
      this.error(`symbol \`${name}\` is already defined${existing.line ? ` on line ${existing.line}` : ' (supplied by the exercise)'}`, loc);
      return;
    }
    const d = this.defer(e);
    const sym: Sym = {
      name, kind: 'equ', sec: -1, value: d.known ? d.value : 0n, expr: d.known ? null : e, exprSec: this.cur.index, exprItem: this.cur.items.length,
      known: d.known, global: existing?.global ?? false, line: loc.line, evaluating: false,
    };
    this.symbols.set(name, sym);
  }

  // ---------------------------------------------------------------- statement stream

  run(source: string): AssembleResult {
    const split = splitStatements(source);
    for (const p of split.problems) this.diagnostics.push({ severity: 'error', line: p.line, column: p.col + 1, endLine: p.line, endColumn: p.end + 1, message: p.message });
    this.frames.push({ stmts: split.statements, i: 0, macro: false, depth: 0, condDepth: 0 });
    while (this.frames.length > 0 && !this.ended && !this.tooBig) {
      const frame = this.frames[this.frames.length - 1];
      if (frame.i >= frame.stmts.length) {
        this.frames.pop();
        continue;
      }
      const st = frame.stmts[frame.i++];
      if (++this.statementsSeen > MAX_STATEMENTS) {
        this.current = st;
        this.error(`more than ${MAX_STATEMENTS} statements after expanding macros and repeats; stopping`, this.stmtLoc(st));
        break;
      }
      this.current = st;
      try {
        this.statement(st);
      } catch (err) {
        if (err instanceof ExprError || err instanceof OperandError || err instanceof LexError) this.error(err.message, this.at(st, err.col, err.end));
        else if (err instanceof Undefined) this.error(`undefined symbol \`${this.displayName(err.message)}\``, this.stmtLoc(st));
        else throw err;
      }
    }
    this.current = null;
    if (this.collecting) {
      const c = this.collecting;
      this.error(c.kind === 'macro' ? '`.macro` without a matching `.endm`' : 'repeat block without a matching `.endr`', this.stmtLoc(c.start));
    }
    for (const c of this.conds) this.error('`.if` without a matching `.endif`', c.loc);
    this.layout();
    return this.emit();
  }

  private statement(st: Stmt): void {
    const word = firstWord(st.text);
    if (this.collecting) {
      const c = this.collecting;
      const opens = c.kind === 'macro' ? word === '.macro' : word === '.rept' || word === '.irp' || word === '.irpc';
      const closes = c.kind === 'macro' ? word === '.endm' || word === '.endmacro' : word === '.endr';
      if (opens) c.depth++;
      if (closes && --c.depth === 0) {
        this.collecting = null;
        c.finish(c.body);
        return;
      }
      c.body.push(st);
      return;
    }
    if (this.conditional(st, word)) return;
    const active = this.conds.length === 0 || this.conds[this.conds.length - 1].active;
    if (!active) return;
    this.activeStatement(st);
  }

  private conditional(st: Stmt, word: string): boolean {
    if (!word.startsWith('.if') && word !== '.else' && word !== '.elseif' && word !== '.endif') return false;
    const loc = this.stmtLoc(st);
    const enclosing = this.conds.length === 0 || this.conds[this.conds.length - 1].active;
    if (word.startsWith('.if')) {
      let result = false;
      if (enclosing) result = this.evalCondition(st, word);
      this.conds.push({ active: enclosing && result, taken: result, parentActive: enclosing, sawElse: false, loc });
      return true;
    }
    const top = this.conds[this.conds.length - 1];
    if (!top) {
      this.error(`\`${word}\` without a matching \`.if\``, loc);
      return true;
    }
    if (word === '.endif') {
      this.conds.pop();
      return true;
    }
    if (top.sawElse) {
      this.error(`\`${word}\` after \`.else\``, loc);
      return true;
    }
    if (word === '.else') {
      top.sawElse = true;
      top.active = top.parentActive && !top.taken;
      top.taken = true;
      return true;
    }
    // .elseif
    if (top.taken || !top.parentActive) {
      top.active = false;
      return true;
    }
    const r = this.evalCondition(st, '.if');
    top.active = r;
    top.taken = r;
    return true;
  }

  private evalCondition(st: Stmt, word: string): boolean {
    const rest = st.text.slice(firstWordLength(st.text)).trim();
    const restCol = st.col + st.text.length - rest.length;
    switch (word) {
      case '.ifdef':
      case '.ifndef':
      case '.ifnotdef': {
        const sym = this.symbols.get(rest);
        // `.globl name` alone declares a name without defining it.
        const defined = sym !== undefined && (sym.kind !== 'equ' || sym.known || sym.expr !== null);
        return word === '.ifdef' ? defined : !defined;
      }
      case '.ifb':
        return rest.length === 0;
      case '.ifnb':
        return rest.length > 0;
      case '.ifc':
      case '.ifnc': {
        const [a, b] = splitArgs(rest);
        const same = unquote(a ?? '') === unquote(b ?? '');
        return word === '.ifc' ? same : !same;
      }
      default: {
        const v = this.constant(this.exprFrom(st, rest, restCol), `\`${word}\``);
        switch (word) {
          case '.if': case '.ifne': return v !== 0n;
          case '.ifeq': return v === 0n;
          case '.ifgt': return v > 0n;
          case '.ifge': return v >= 0n;
          case '.iflt': return v < 0n;
          case '.ifle': return v <= 0n;
          default:
            throw new ExprError(`unknown conditional \`${word}\``, st.col, st.col + word.length);
        }
      }
    }
  }

  private tokens(text: string, col: number): Token[] {
    return tokenize(text, col, { intel: this.intel, percentRegisters: true });
  }

  private exprFrom(st: Stmt, text: string, col: number): Expr {
    const cur = new TokenCursor(this.tokens(text, col));
    const e = parseExpr(cur, this.exprHooks);
    if (!cur.atEnd()) {
      const t = cur.peek();
      throw new ExprError(`unexpected \`${t.text}\` after expression`, t.col, t.end);
    }
    return e;
  }

  /** Arguments with their columns. */
  private args(text: string, col: number): { text: string; col: number }[] {
    const parts = splitArgs(text);
    const out: { text: string; col: number }[] = [];
    let pos = 0;
    for (const p of parts) {
      const lead = p.length - p.trimStart().length;
      out.push({ text: p.trim(), col: col + pos + lead });
      pos += p.length + 1;
    }
    return out;
  }

  private activeStatement(st: Stmt): void {
    let text = st.text;
    let col = st.col;
    // Labels: `name:` (also numeric local labels), possibly several.
    for (;;) {
      if (!text.includes(':')) break;
      const m = /^([A-Za-z_.$][\w.$@]*|\d+)\s*:(?!:)/.exec(text);
      if (!m) break;
      const name = m[1];
      // Intel `fs:[rax]`-like operands never start a statement; a lone segment register before ':' in Intel is not a label.
      const loc = this.at(st, col, col + name.length);
      if (/^\d+$/.test(name)) {
        const n = (this.localCounts.get(name) ?? 0) + 1;
        this.localCounts.set(name, n);
        this.defineLabel(this.localName(name, n), loc);
      } else this.defineLabel(name, loc);
      const consumed = m[0].length;
      const rest = text.slice(consumed);
      col += consumed + (rest.length - rest.trimStart().length);
      text = rest.trimStart();
    }
    if (text === '') return;
    const assign = text.includes('=') ? /^([A-Za-z_.$][\w.$@]*)\s*=(?!=)\s*(.*)$/.exec(text) : null;
    if (assign) {
      const exprCol = col + text.length - assign[2].length;
      this.defineEqu(assign[1], this.exprFrom(st, assign[2], exprCol), this.at(st, col, col + assign[1].length), false);
      return;
    }
    const word = firstWord(text);
    const restRaw = text.slice(word.length);
    const rest = restRaw.trim();
    const restCol = col + word.length + (restRaw.length - restRaw.trimStart().length);
    if (word.startsWith('.') && !this.macros.has(word)) {
      this.directive(st, word, rest, restCol, this.at(st, col, col + word.length));
      return;
    }
    const macro = this.macros.get(word);
    if (macro) {
      this.expandMacro(st, macro, rest, restCol);
      return;
    }
    this.instruction(st, text, col);
  }

  // ---------------------------------------------------------------- macros and repeats

  private pushFrame(st: Stmt, bodies: Stmt[], macro: boolean): void {
    const depth = (this.frames[this.frames.length - 1]?.depth ?? 0) + 1;
    if (depth > MAX_MACRO_DEPTH) {
      this.error(`macros nested more than ${MAX_MACRO_DEPTH} deep (a macro that calls itself without end?)`, this.stmtLoc(st));
      return;
    }
    const expansion = st.expansion ?? { col: st.col, end: st.col + st.text.length };
    const stmts = bodies.map((b) => ({ text: b.text, line: st.line, col: expansion.col, expansion }));
    this.frames.push({ stmts, i: 0, macro, depth, condDepth: this.conds.length });
  }

  private substitute(at: Stmt, body: Stmt[], values: Map<string, string>, counter: number | null): Stmt[] {
    return body.map((b) => {
      // `\name` takes the whole identifier (GNU as); `\()` separates a parameter from following text.
      let text = b.text.replace(/\\([A-Za-z_.$][\w.$]*|@|\(\))/g, (all, name: string) => {
        if (name === '@') return counter === null ? all : String(counter);
        if (name === '()') return '';
        return values.get(name) ?? all;
      });
      text = text.replace(/\\\(\)/g, '');
      if (text.length > MAX_EXPANDED_LINE) throw new ExprError(`a macro expansion produced a line longer than ${MAX_EXPANDED_LINE} characters`, at.col, at.col + at.text.length);
      return { ...b, text };
    });
  }

  private defineMacro(st: Stmt, rest: string, loc: Loc): void {
    const m = /^([A-Za-z_.$][\w.$@]*)\s*,?\s*(.*)$/.exec(rest);
    if (!m) {
      this.error('`.macro` needs a name', loc);
      this.collecting = { kind: 'macro', depth: 1, body: [], start: st, finish: () => {} };
      return;
    }
    const name = m[1].toLowerCase();
    const params: Macro['params'] = [];
    for (const raw of splitParams(m[2])) {
      const pm = /^([A-Za-z_.$][\w.$]*)\s*(?::\s*(req|vararg))?\s*(?:=\s*(.*))?$/.exec(raw.trim());
      if (!pm) {
        this.error(`bad macro parameter \`${raw.trim()}\``, loc);
        continue;
      }
      params.push({ name: pm[1], def: pm[3] ?? null, required: pm[2] === 'req', vararg: pm[2] === 'vararg' });
    }
    this.collecting = {
      kind: 'macro', depth: 1, body: [], start: st,
      finish: (body) => this.macros.set(name, { name, params, body }),
    };
  }

  private expandMacro(st: Stmt, macro: Macro, rest: string, restCol: number): void {
    const loc = this.stmtLoc(st);
    let args = splitArgs(rest).map((a) => a.trim());
    if (args.length === 1 && macro.params.length > 1 && /\s/.test(args[0]) && !args[0].startsWith('"')) args = args[0].split(/\s+/);
    // GNU as passes a double-quoted argument without its quotes.
    args = args.map((a) => (a.length >= 2 && a.startsWith('"') && a.endsWith('"') ? a.slice(1, -1) : a));
    const values = new Map<string, string>();
    let positional = 0;
    for (let i = 0; i < args.length; i++) {
      const a = args[i];
      const named = /^([A-Za-z_.$][\w.$]*)\s*=(?!=)\s*(.*)$/.exec(a);
      if (named && macro.params.some((p) => p.name === named[1])) {
        values.set(named[1], named[2]);
        continue;
      }
      const p = macro.params[positional];
      if (!p) {
        if (a !== '') this.error(`too many arguments to macro \`${macro.name}\` (it takes ${macro.params.length})`, this.at(st, restCol, restCol + rest.length));
        break;
      }
      if (p.vararg) {
        values.set(p.name, args.slice(i).join(','));
        positional++;
        break;
      }
      values.set(p.name, a);
      positional++;
    }
    for (const p of macro.params) {
      if (!values.has(p.name) || values.get(p.name) === '') {
        if (p.required && !values.get(p.name)) this.error(`macro \`${macro.name}\` needs a value for parameter \`${p.name}\``, loc);
        if (!values.get(p.name)) values.set(p.name, p.def ?? '');
      }
    }
    const counter = this.macroCounter++;
    this.pushFrame(st, this.substitute(st, macro.body, values, counter), true);
  }

  private repeat(st: Stmt, word: string, rest: string, restCol: number, loc: Loc): void {
    const start = st;
    if (word === '.rept') {
      let count = 0n;
      try {
        count = this.constant(this.exprFrom(st, rest, restCol), '`.rept` count');
      } catch (e) {
        if (e instanceof ExprError) this.error(e.message, this.at(st, e.col, e.end));
        else throw e;
      }
      if (count > BigInt(MAX_STATEMENTS)) {
        this.error(`\`.rept ${count}\` repeats too many times (limit ${MAX_STATEMENTS})`, loc);
        count = 0n;
      }
      this.collecting = {
        kind: 'rept', depth: 1, body: [], start,
        finish: (body) => {
          if (count <= 0n || body.length === 0) return;
          if (Number(count) * body.length > MAX_STATEMENTS) {
            this.error(`\`.rept ${count}\` would expand to more than ${MAX_STATEMENTS} statements`, loc);
            return;
          }
          const all: Stmt[] = [];
          for (let i = 0n; i < count; i++) all.push(...body);
          this.pushFrame(st, all, false);
        },
      };
      return;
    }
    // .irp sym, a, b, c   /   .irpc sym, chars
    const m = /^([A-Za-z_.$][\w.$]*)\s*,?\s*(.*)$/.exec(rest);
    if (!m) {
      this.error(`\`${word}\` needs a parameter name`, loc);
      this.collecting = { kind: 'rept', depth: 1, body: [], start, finish: () => {} };
      return;
    }
    const name = m[1];
    const list = word === '.irp' ? splitArgs(m[2]).map((x) => x.trim()) : [...m[2].replace(/\s+/g, '')];
    const items = list.length === 0 ? [''] : list;
    this.collecting = {
      kind: 'rept', depth: 1, body: [], start,
      finish: (body) => {
        const all: Stmt[] = [];
        for (const v of items) all.push(...this.substitute(st, body, new Map([[name, v]]), null));
        this.pushFrame(st, all, false);
      },
    };
  }

  // ---------------------------------------------------------------- directives

  private directive(st: Stmt, word: string, rest: string, restCol: number, loc: Loc): void {
    const args = () => this.args(rest, restCol);
    const expr = (a: { text: string; col: number }) => this.exprFrom(st, a.text, a.col);
    switch (word) {
      case '.text':
      case '.data':
      case '.bss':
        this.switchTo(this.section(word));
        return;
      case '.section':
      case '.pushsection': {
        const a = args();
        if (a.length === 0 || a[0].text === '') {
          this.error(`\`${word}\` needs a section name`, loc);
          return;
        }
        const name = unquote(a[0].text);
        const flags = a[1] ? unquote(a[1].text) : '';
        if (word === '.pushsection') this.sectionStack.push(this.cur);
        this.switchTo(this.section(name, flags));
        return;
      }
      case '.popsection': {
        const s = this.sectionStack.pop();
        if (!s) this.error('`.popsection` without `.pushsection`', loc);
        else this.switchTo(s);
        return;
      }
      case '.previous':
        if (this.prevSection) this.switchTo(this.prevSection);
        return;
      case '.globl':
      case '.global':
        for (const a of args()) {
          const s = this.symbols.get(a.text);
          if (s) s.global = true;
          else this.symbols.set(a.text, { name: a.text, kind: 'equ', sec: -1, value: 0n, expr: null, exprSec: 0, exprItem: 0, known: false, global: true, line: 0, evaluating: false });
        }
        return;
      case '.local': case '.weak': case '.hidden': case '.protected': case '.internal': case '.type': case '.size': case '.file': case '.ident':
      case '.loc': case '.cfi_startproc': case '.cfi_endproc': case '.cfi_def_cfa_offset': case '.cfi_offset': case '.cfi_def_cfa': case '.cfi_def_cfa_register':
      case '.cfi_adjust_cfa_offset': case '.cfi_rel_offset': case '.cfi_restore': case '.cfi_remember_state': case '.cfi_restore_state': case '.cfi_sections':
      case '.cfi_signal_frame': case '.cfi_undefined': case '.cfi_same_value': case '.extern': case '.list': case '.nolist': case '.title': case '.sbttl': case '.psize': case '.eject':
        return;
      case '.code16': this.bits = 16; return;
      case '.code32': this.bits = 32; return;
      case '.code64': this.bits = 64; return;
      case '.intel_syntax':
        this.intel = true;
        if (rest !== '' && rest !== 'noprefix' && rest !== 'prefix') this.error(`\`.intel_syntax\` takes \`noprefix\` or \`prefix\`, not \`${rest}\``, loc);
        return;
      case '.att_syntax':
        this.intel = false;
        return;
      case '.equ':
      case '.set':
      case '.equiv': {
        const a = args();
        if (a.length !== 2 || !/^[A-Za-z_.$][\w.$@]*$/.test(a[0].text)) {
          this.error(`\`${word}\` takes a symbol name and a value: \`${word} NAME, VALUE\``, loc);
          return;
        }
        this.defineEqu(a[0].text, expr(a[1]), this.at(st, a[0].col, a[0].col + a[0].text.length), word === '.equiv');
        return;
      }
      case '.byte': return this.dataDirective(st, 1, args(), loc);
      case '.word': case '.short': case '.value': case '.hword': case '.2byte': return this.dataDirective(st, 2, args(), loc);
      case '.long': case '.int': case '.4byte': return this.dataDirective(st, 4, args(), loc);
      case '.quad': case '.8byte': return this.dataDirective(st, 8, args(), loc);
      case '.ascii': case '.asciz': case '.string': {
        const out: number[] = [];
        for (const a of args()) {
          const toks = this.tokens(a.text, a.col);
          for (const t of toks) {
            if (t.kind === 'eol') break;
            if (t.kind !== 'str') {
              this.error(`\`${word}\` expects strings in double quotes, found \`${t.text}\``, this.at(st, t.col, t.end));
              return;
            }
            out.push(...t.bytes!);
            if (word !== '.ascii') out.push(0);
          }
        }
        this.push({ k: 'bytes', data: Uint8Array.from(out), loc, offset: 0, size: out.length });
        return;
      }
      case '.align': case '.balign': case '.p2align': {
        const a = args();
        if (a.length === 0 || a[0].text === '') {
          this.error(`\`${word}\` needs an alignment`, loc);
          return;
        }
        const v = this.constant(expr(a[0]), `\`${word}\` alignment`);
        let boundary: number;
        if (word === '.p2align') {
          if (v < 0n || v > 30n) return this.error(`\`.p2align ${v}\` is out of range (0..30)`, loc);
          boundary = 1 << Number(v);
        } else {
          if (v < 0n || v > 1n << 30n) return this.error(`alignment ${v} is out of range`, loc);
          boundary = Number(v) || 1;
          if ((boundary & (boundary - 1)) !== 0) return this.error(`alignment ${v} is not a power of 2`, loc);
        }
        const fill = a[1] && a[1].text !== '' ? Number(BigInt.asUintN(8, this.constant(expr(a[1]), 'fill value'))) : null;
        const max = a[2] && a[2].text !== '' ? Number(this.constant(expr(a[2]), 'maximum skip')) : Infinity;
        const pad = (boundary - (this.cur.size % boundary)) % boundary;
        this.push({ k: 'align', boundary, fill, max, bits: this.bits, loc, offset: 0, size: pad <= max ? pad : 0 });
        return;
      }
      case '.fill': {
        const a = args();
        if (a.length === 0 || a[0].text === '') return this.error('`.fill` needs a repeat count', loc);
        const count = this.constant(expr(a[0]), '`.fill` count');
        const size = a[1] && a[1].text !== '' ? this.constant(expr(a[1]), '`.fill` size') : 1n;
        const value = a[2] && a[2].text !== '' ? this.constant(expr(a[2]), '`.fill` value') : 0n;
        if (count < 0n) return this.warn('`.fill` count is negative; ignored', loc);
        const width = size > 8n ? 8n : size;
        if (count * size > BigInt(MAX_SECTION_BYTES)) return this.error(`\`.fill\` of ${count * size} bytes is too large`, loc);
        const data = new Uint8Array(Number(count * size));
        for (let i = 0; i < Number(count); i++) {
          for (let b = 0; b < Number(width); b++) data[i * Number(size) + b] = Number((BigInt.asUintN(64, value) >> BigInt(8 * b)) & 0xffn);
        }
        this.push({ k: 'bytes', data, loc, offset: 0, size: data.length });
        return;
      }
      case '.skip': case '.space': case '.zero': {
        const a = args();
        if (a.length === 0 || a[0].text === '') return this.error(`\`${word}\` needs a size`, loc);
        const n = this.constant(expr(a[0]), `\`${word}\` size`);
        const fill = word !== '.zero' && a[1] && a[1].text !== '' ? this.constant(expr(a[1]), 'fill value') : 0n;
        if (n < 0n) return this.warn(`\`${word}\` size is negative; ignored`, loc);
        if (n > BigInt(MAX_SECTION_BYTES)) return this.error(`\`${word} ${n}\` is too large`, loc);
        this.push({ k: 'bytes', data: new Uint8Array(Number(n)).fill(Number(BigInt.asUintN(8, fill))), loc, offset: 0, size: Number(n) });
        return;
      }
      case '.org': {
        const a = args();
        if (a.length === 0 || a[0].text === '') return this.error('`.org` needs an address', loc);
        const target = this.defer(expr(a[0]));
        const fill = a[1] && a[1].text !== '' ? Number(BigInt.asUintN(8, this.constant(expr(a[1]), 'fill value'))) : 0;
        let size = 0;
        if (target.known) size = Math.max(0, Number(target.value) - this.cur.size);
        this.push({ k: 'org', target, fill, loc, offset: 0, size });
        return;
      }
      case '.macro':
        return this.defineMacro(st, rest, loc);
      case '.endm': case '.endmacro':
        return this.error('`.endm` without a matching `.macro`', loc);
      case '.exitm': {
        while (this.frames.length > 1) {
          const f = this.frames.pop()!;
          this.conds.length = Math.min(this.conds.length, f.condDepth);
          if (f.macro) return;
        }
        return this.error('`.exitm` outside a macro', loc);
      }
      case '.purgem':
        if (!this.macros.delete(rest.toLowerCase())) this.error(`no macro named \`${rest}\` to purge`, loc);
        return;
      case '.rept': case '.irp': case '.irpc':
        return this.repeat(st, word, rest, restCol, loc);
      case '.endr':
        return this.error('`.endr` without a matching `.rept`, `.irp` or `.irpc`', loc);
      case '.err':
        return this.error('`.err` encountered', loc);
      case '.error':
        return this.error(rest ? unquote(rest) : '`.error` encountered', loc);
      case '.warning':
        return this.warn(rest ? unquote(rest) : '`.warning` encountered', loc);
      case '.print':
        return;
      case '.end':
        this.ended = true;
        return;
      case '.include':
        return this.error('`.include` is not supported: put everything in one file', loc);
      default: {
        const near = closest(word, knownDirectives);
        this.error(`unknown directive \`${word}\`${near ? `; did you mean \`${near}\`?` : ''}`, loc);
      }
    }
  }

  private dataDirective(st: Stmt, width: number, args: { text: string; col: number }[], loc: Loc): void {
    const values: Deferred[] = [];
    for (const a of args) {
      if (a.text === '') {
        this.error('missing value', this.at(st, a.col, a.col + 1));
        continue;
      }
      if (a.text.startsWith('"') && width === 1) {
        const toks = this.tokens(a.text, a.col);
        for (const b of toks[0].bytes ?? []) values.push({ known: true, value: BigInt(b) });
        continue;
      }
      const e = this.exprFrom(st, a.text, a.col);
      this.dotBias = values.length * width;
      const d = this.defer(e);
      this.dotBias = 0;
      if (d.known) this.checkDataRange(d.value, width, this.at(st, a.col, a.col + a.text.length));
      values.push(d);
    }
    this.push({ k: 'data', width, values, loc, offset: 0, size: width * values.length });
  }

  private checkDataRange(v: bigint, width: number, loc: Loc): void {
    if (width >= 8) return;
    const bits = BigInt(width * 8);
    if (v < -(1n << bits) || v >= 1n << bits) {
      this.warn(`value ${hex(v)} truncated to ${hex(BigInt.asUintN(Number(bits), v))}`, loc);
    }
  }

  // ---------------------------------------------------------------- instructions

  private instruction(st: Stmt, text: string, col: number): void {
    const toks = this.tokens(text, col);
    const cur = new TokenCursor(toks);
    const prefix: number[] = [];
    let rep: 'rep' | 'repe' | 'repne' | undefined;
    let addrOverride: number | undefined;
    let mn: MnemonicInfo | null = null;
    let mnTok: Token | null = null;
    for (;;) {
      const t = cur.peek();
      if (t.kind !== 'id') {
        if (t.kind === 'eol') break;
        throw new OperandError(`expected an instruction, found \`${t.text}\``, t.col, t.end);
      }
      const w = t.text.toLowerCase();
      const pb = prefixBytes[w];
      const next = cur.peek(1);
      if (pb !== undefined && !(next.kind === 'op' && next.text === ':')) {
        cur.next();
        if (w.startsWith('rep')) rep = w === 'rep' ? 'rep' : w === 'repe' || w === 'repz' ? 'repe' : 'repne';
        if (w === 'addr32') addrOverride = 32;
        if (w === 'addr16') addrOverride = 16;
        prefix.push(pb);
        continue;
      }
      mnTok = cur.next();
      mn = resolveMnemonic(t.text, this.intel);
      break;
    }
    const loc = this.at(st, col, col + text.length);
    if (!mnTok) {
      // A prefix on a line of its own (`rep; movsb`, `lock`): GNU as emits the byte by itself.
      if (prefix.length) this.push({ k: 'bytes', data: Uint8Array.from(prefix), loc, offset: 0, size: prefix.length });
      return;
    }
    const mloc = this.at(st, mnTok.col, mnTok.end);
    if (!mn) {
      let near = closest(mnTok.text, mnemonicCandidates());
      if (near === mnTok.text.toLowerCase()) near = null;
      if (this.intel && resolveMnemonic(mnTok.text, false)) {
        return this.error(`\`${mnTok.text}\` is AT&T spelling; in Intel syntax write \`${resolveMnemonic(mnTok.text, false)!.mnemonics[0]}\` and give the size on the memory operand (e.g. \`qword ptr [rdi]\`)`, mloc);
      }
      this.error(`unknown instruction \`${mnTok.text}\`${near ? `; did you mean \`${near}\`?` : ''}`, mloc);
      return;
    }
    const rest = toks.slice(cur.pos);
    const parts = splitOperands(rest);
    const octx = { hooks: this.exprHooks, evalConst: (e: Expr) => this.tryConstant(e) };
    let asts: OpAst[] = [];
    const commas = topLevelCommas(rest);
    for (const [i, p] of parts.entries()) {
      if (p.length === 0) {
        const at = commas[i] ?? commas[i - 1] ?? mnTok;
        throw new OperandError('missing operand (two commas in a row, or a trailing comma?)', at.col, at.end);
      }
      asts.push(this.intel ? parseIntelOperand(p, octx) : parseAttOperand(p, octx));
    }
    if (!this.intel) {
      for (const a of asts) {
        if (a.k === 'expr' && a.expr.k === 'sym' && lookupRegister(a.expr.name) && !this.symbols.has(a.expr.name)) {
          return this.error(`\`${a.expr.name}\` is a register: write %${a.expr.name.toLowerCase()} in AT&T syntax (or switch with .intel_syntax noprefix)`, this.at(st, a.col, a.end));
        }
      }
    }
    // AT&T lists the destination last; everything below works in Intel order. GNU as keeps
    // `enter` and the two-immediate far jump in written order.
    const base = mn.mnemonics[0];
    if (!this.intel) {
      const keep = base === 'enter' || (mn.far && asts.length === 2 && asts.every((a) => a.k === 'imm'));
      if (!keep) asts = asts.reverse();
    }
    if (mn.string && base !== 'xlatb') {
      const s = this.stringOperands(st, mn, asts);
      if (!s) return;
      this.stringSeg = s.seg;
      try {
        this.plan(st, s.mn, [], loc, mloc, prefix, rep, s.addrBits ?? addrOverride);
      } finally {
        this.stringSeg = null;
      }
      return;
    }
    this.plan(st, mn, asts, loc, mloc, prefix, rep, addrOverride);
  }

  private stringSeg: RegInfo | null = null;
  private avoidShortXchg = false;
  private dotBias = 0;

  /** String instructions may name their implicit operands; they then fix the size, address size and source segment. */
  private stringOperands(st: Stmt, mn: MnemonicInfo, asts: OpAst[]): { mn: MnemonicInfo; seg: RegInfo | null; addrBits: number | null } | null {
    const sizes: Record<string, number> = { b: 8, w: 16, d: 32, q: 64 };
    const stem = mn.mnemonics[0].slice(0, -1);
    let size: number | null = mn.mnemonics.length === 1 ? sizes[mn.mnemonics[0].slice(-1)] : null;
    let seg: RegInfo | null = null;
    let addrBits: number | null = null;
    const setSize = (bits: number, col: number, end: number): boolean => {
      if (size !== null && size !== bits) {
        this.error(`operand size mismatch: \`${mn.written}\` with a ${bits}-bit operand`, this.at(st, col, end));
        return false;
      }
      size = bits;
      return true;
    };
    for (const a of asts) {
      if (a.k === 'reg' && a.reg.cls === 'gpr' && a.reg.num === 0 && !a.reg.high8) {
        if (!setSize(a.reg.size, a.col, a.end)) return null;
      } else if (a.k === 'reg' && a.reg.name === 'dx' && (stem === 'ins' || stem === 'outs')) {
        continue;
      } else if (a.k === 'mem' && a.base && a.base.cls === 'gpr' && !a.index && !a.disp && (a.base.num === 6 || a.base.num === 7)) {
        if (addrBits !== null && addrBits !== a.base.size) return this.error(`\`${mn.written}\` operands use different address sizes`, this.at(st, a.col, a.end)), null;
        addrBits = a.base.size;
        if ((addrBits === 16 && this.bits === 64) || (addrBits === 64 && this.bits !== 64)) {
          return this.error(`%${a.base.name} cannot address memory in ${this.bits}-bit code`, this.at(st, a.col, a.end)), null;
        }
        if (a.base.num === 7 && a.seg && a.seg.name !== 'es') return this.error(`the destination of \`${mn.written}\` is always %es:(%rdi); it cannot use %${a.seg.name}`, this.at(st, a.col, a.end)), null;
        if (a.base.num === 6 && a.seg && a.seg.name !== 'ds') seg = a.seg;
        if (a.bits !== null && !setSize(a.bits, a.col, a.end)) return null;
      } else {
        return this.error(`\`${mn.written}\` works on %rsi / %rdi (and the accumulator); this operand cannot be used`, this.at(st, a.col, a.end)), null;
      }
    }
    if (size === null) {
      const whole = this.at(st, st.col, st.col + st.text.length);
      if (this.intel) return this.error(`ambiguous operand size for \`${mn.written}\`: write \`${stem}b\`, \`${stem}w\` or \`${stem}d\`, or give the size (\`byte ptr [rsi]\`)`, whole), null;
      size = this.bits === 16 ? 16 : 32;
      this.warn(`no instruction mnemonic suffix given and no register operands; using default \`${stem}${size === 16 ? 'w' : 'l'}\``, whole);
    }
    const name = `${stem}${({ 8: 'b', 16: 'w', 32: 'd', 64: 'q' } as Record<number, string>)[size]}`;
    return { mn: { ...mn, mnemonics: [name] }, seg, addrBits };
  }

  private tryConstant(e: Expr): bigint | null {
    try {
      const v = evaluate(e, this.pass1Context());
      return v.sec === -1 && !v.layout ? v.off : null;
    } catch (_) {
      return null;
    }
  }

  private plan(st: Stmt, mn: MnemonicInfo, written: OpAst[], loc: Loc, mloc: Loc, prefix: number[], rep: 'rep' | 'repe' | 'repne' | undefined, addrOverride: number | undefined): void {
    const isBranchMn = mn.branch !== null;
    let asts = written;
    let far = mn.far;
    const ops: PlanOp[] = [];
    let size = mn.size;
    // Two immediates on a far jump/call: `ljmp $sel, $off`.
    if (far && asts.length === 2 && asts[0].k === 'imm' && asts[1].k === 'imm') {
      ops.push({ k: 'far', sel: this.defer(asts[0].expr), off: this.defer(asts[1].expr) });
      return this.finishPlan(st, mn, ops, loc, mloc, prefix, rep, addrOverride, far, size);
    }
    if (base(mn) === 'in' || base(mn) === 'out') {
      // GNU as also reads the port as `(%dx)`, and `inb %dx` / `outb $0x80` leave the accumulator implied.
      asts = asts.map((a) => (a.k === 'mem' && a.base?.name === 'dx' && !a.index && !a.disp && !a.seg ? { k: 'reg', reg: a.base, indirect: false, col: a.col, end: a.end } : a));
      if (asts.length === 1 && size !== null) {
        const acc = lookupRegister(({ 8: 'al', 16: 'ax', 32: 'eax', 64: 'rax' } as Record<number, string>)[size] ?? '');
        if (acc) asts = base(mn) === 'in' ? [{ k: 'reg', reg: acc, indirect: false, col: asts[0].col, end: asts[0].end }, asts[0]] : [asts[0], { k: 'reg', reg: acc, indirect: false, col: asts[0].col, end: asts[0].end }];
      }
    }
    for (const a of asts) {
      switch (a.k) {
        case 'reg':
          if (a.reg.only64 && this.bits !== 64) return this.error(`register %${a.reg.name} exists only in 64-bit code (use .code64)`, this.at(st, a.col, a.end));
          if (isBranchMn && !a.indirect && !this.intel) this.warn(`indirect ${mn.written} without \`*\``, this.at(st, a.col, a.end));
          ops.push({ k: 'reg', reg: a.reg });
          break;
        case 'imm':
          ops.push({ k: 'imm', v: this.defer(a.expr) });
          break;
        case 'far':
          far = true;
          ops.push({ k: 'far', sel: this.defer(a.sel), off: this.defer(a.off) });
          break;
        case 'expr': {
          if (isBranchMn && !a.indirect) {
            ops.push({ k: 'branch', target: this.defer(a.expr) });
            break;
          }
          const d = this.defer(a.expr);
          if (this.intel && d.known && !isBranchMn) {
            ops.push({ k: 'imm', v: d });
            break;
          }
          ops.push({ k: 'mem', base: null, index: null, scale: 1, seg: null, bits: null, disp: d, ripTarget: false });
          break;
        }
        case 'mem': {
          for (const r of [a.base, a.index]) {
            if (r && r.only64 && this.bits !== 64) return this.error(`register %${r.name} exists only in 64-bit code (use .code64)`, this.at(st, a.col, a.end));
            if (r && r.size === 64 && r.cls === 'gpr' && this.bits !== 64) return this.error(`64-bit address register %${r.name} needs 64-bit code`, this.at(st, a.col, a.end));
            if (r && r.size === 16 && this.bits === 64) return this.error(`16-bit address register %${r.name} cannot be used in 64-bit code`, this.at(st, a.col, a.end));
          }
          const disp = a.disp ? this.defer(a.disp) : null;
          const rip = a.base?.cls === 'ip';
          let seg = a.seg;
          if (seg && this.redundantSegment(seg, a.base)) seg = null;
          if (this.intel && (base(mn) === 'jmp' || base(mn) === 'call') && a.bits === 48) far = true;
          ops.push({ k: 'mem', base: a.base, index: a.index, scale: a.scale, seg, bits: a.bits, disp, ripTarget: rip && disp !== null && !disp.known, col: a.col });
          break;
        }
      }
    }
    const adjusted = applyGasOperandRules(base(mn), ops, size, this.bits);
    if (adjusted.error) return this.error(adjusted.error, loc);
    if (adjusted.asNop) return this.finishPlan(st, { ...mn, mnemonics: ['nop'] }, [], loc, mloc, prefix, rep, addrOverride, far, null);
    size = adjusted.size;
    this.avoidShortXchg = adjusted.avoidShortXchg;
    if (this.intel && this.bits === 64 && (base(mn) === 'sysret' || base(mn) === 'sysexit') && mn.written.toLowerCase() === base(mn)) {
      return this.error(`ambiguous operand size for \`${mn.written}\`: write \`${base(mn)}q\` (64-bit) or \`${base(mn)}d\` (32-bit)`, loc);
    }
    this.finishPlan(st, mn, ops, loc, mloc, prefix, rep, addrOverride, far, size);
  }

  /** GNU as drops a segment override that names the default segment. */
  private redundantSegment(seg: RegInfo, baseReg: RegInfo | null): boolean {
    const stackBase = baseReg && (baseReg.num === 4 || baseReg.num === 5) && baseReg.cls === 'gpr' && baseReg.size !== 16;
    const bp16 = baseReg && baseReg.size === 16 && baseReg.num === 5;
    const def = stackBase || bp16 ? 'ss' : 'ds';
    return seg.name === def;
  }

  private provisional(ops: PlanOp[], ip: bigint): Opnd[] {
    return ops.map((o): Opnd => {
      switch (o.k) {
        case 'reg':
          return { k: 'reg', reg: o.reg };
        case 'imm':
          return { k: 'imm', value: o.v.known ? o.v.value : 0n, known: o.v.known, sized: o.sized ?? null };
        case 'mem':
          return {
            k: 'mem',
            m: { base: o.base, index: o.index, scale: o.scale, seg: o.seg, bits: o.bits, disp: o.disp?.known ? o.disp.value : 0n, dispKnown: (!o.disp || o.disp.known) && !o.fullDisp, ripTarget: o.ripTarget },
          };
        case 'branch':
          return { k: 'branch', target: ip };
        case 'far':
          return { k: 'far', sel: o.sel.known ? o.sel.value : 0n, off: o.off.known ? o.off.value : 0n };
      }
    });
  }

  private finishPlan(st: Stmt, mn: MnemonicInfo, ops: PlanOp[], loc: Loc, mloc: Loc, prefix: number[], rep: 'rep' | 'repe' | 'repne' | undefined, addrOverride: number | undefined, far: boolean, size: number | null): void {
    const isBranch = ops.length === 1 && ops[0].k === 'branch';
    const avoidShortXchg = this.avoidShortXchg;
    this.avoidShortXchg = false;
    // GNU as turns `int $3` into the one-byte int3.
    if (mn.mnemonics[0] === 'int' && ops.length === 1 && ops[0].k === 'imm' && ops[0].v.known && ops[0].v.value === 3n) {
      return this.finishPlan(st, { ...mn, mnemonics: ['int3'] }, [], loc, mloc, prefix, rep, addrOverride, far, size);
    }
    const req: Request = {
      mnemonics: mn.mnemonics, size, srcSize: mn.srcSize, far, movabs: mn.movabs, branch: null,
      operands: this.provisional(ops, 0n), bits: this.bits, stackDefault: mn.stack,
    };
    const rawPrefix = prefix.filter((b) => !(mn.string && (b === 0xf3 || b === 0xf2)) && !(mn.string && b === 0x67));
    if (isBranch && (mn.branch === 'jmp' || mn.branch === 'jcc')) {
      const shortForm = this.tryChoose({ ...req, branch: 'short' });
      const nearForm = this.tryChoose({ ...req, branch: 'near' });
      if (!shortForm && !nearForm) return this.explain(st, mn, req, ops, mloc, loc);
      const item: Item = {
        k: 'branch', target: (ops[0] as { target: Deferred }).target, bits: this.bits,
        shortForm: shortForm?.form ?? null, nearForm: nearForm?.form ?? null,
        shortLen: (shortForm?.length ?? 0) + rawPrefix.length, nearLen: (nearForm?.length ?? 0) + rawPrefix.length,
        near: !shortForm, prefix: rawPrefix, loc, offset: 0, size: 0,
      };
      item.size = item.near ? item.nearLen : item.shortLen;
      this.push(item);
      return;
    }
    let choice;
    try {
      choice = choose(req, this.intel);
      if (avoidShortXchg) {
        const modrm = (formsOf('xchg') ?? []).find((f) => f.name === 'Xchg_rm32_r32');
        if (modrm) choice = { form: modrm, length: encodeForm(modrm, req.operands, 0n, this.bits, []).length, defaulted: null };
      }
      // xchg and test are symmetric: GNU as finds the short accumulator forms whichever way round they are written.
      else if ((base(mn) === 'xchg' || base(mn) === 'test') && ops.length === 2) {
        const swapped = this.tryChoose({ ...req, operands: [req.operands[1], req.operands[0]] });
        if (swapped && swapped.length < choice.length) {
          choice = swapped as typeof choice;
          ops.reverse();
        }
      }
    } catch (e) {
      if (e instanceof EncodeError && (base(mn) === 'xchg' || base(mn) === 'test') && ops.length === 2 && e.message === 'no form') {
        const swapped = this.tryChoose({ ...req, operands: [req.operands[1], req.operands[0]] });
        if (swapped) {
          ops.reverse();
          this.pushInsn(mn, swapped as Choice, ops, loc, prefix, rep, addrOverride);
          return;
        }
      }
      if (!(e instanceof EncodeError)) throw e;
      if (e.message === 'ambiguous') {
        const mem = ops.find((o) => o.k === 'mem');
        const width = this.bits === 64 ? 'qword' : this.bits === 32 ? 'dword' : 'word';
        let ex = `${mn.written} ${width} ptr [...]`;
        if (mem && mem.k === 'mem' && mem.col !== undefined && !st.expansion) {
          const at = mem.col - st.col;
          ex = `${st.text.slice(0, at)}${width} ptr ${st.text.slice(at)}`.replace(/^\S+:\s*/, '');
        }
        return this.error(`ambiguous operand size for \`${mn.written}\`; write \`${ex}\` (or byte/word/dword/qword as you mean)`, loc);
      }
      if (e.message !== 'no form') return this.error(`cannot encode \`${mn.written}\`: ${e.message}`, loc);
      return this.explain(st, mn, req, ops, mloc, loc);
    }
    this.pushInsn(mn, choice, ops, loc, prefix, rep, addrOverride);
  }

  private pushInsn(mn: MnemonicInfo, choice: Choice, ops: PlanOp[], loc: Loc, prefix: number[], rep: 'rep' | 'repe' | 'repne' | undefined, addrOverride: number | undefined): void {
    const rawPrefix = prefix.filter((b) => !(mn.string && (b === 0xf3 || b === 0xf2)) && !(mn.string && b === 0x67));
    if (choice.defaulted !== null) {
      const suffix = { 8: 'b', 16: 'w', 32: 'l', 64: 'q' }[choice.defaulted] ?? '';
      this.warn(`no instruction mnemonic suffix given and no register operands; using default \`${mn.written}${suffix}\``, loc);
    }
    if (rawPrefix.includes(0xf0) && (!choice.form.lockable || !ops.some((o) => o.k === 'mem'))) {
      return this.error(`expecting lockable instruction after \`lock\`: \`${mn.written}\` here cannot be locked (lock needs a read-modify-write instruction with a memory destination)`, loc);
    }
    let stringAddrBits: number | undefined;
    if (mn.string) stringAddrBits = addrOverride ?? this.bits;
    const item: Item = {
      k: 'insn', form: choice.form, ops, bits: this.bits, prefix: rawPrefix, rep: mn.string ? rep : undefined,
      stringAddrBits, stringSeg: mn.string ? this.stringSeg : null, loc, offset: 0, size: 0,
    };
    if (mn.string) {
      try {
        item.size = encodeForm(choice.form, this.provisional(ops, 0n), 0n, this.bits, { rep, stringAddrBits, stringSeg: item.stringSeg }).length + rawPrefix.length;
      } catch (e) {
        if (e instanceof EncodeError) return this.error(`cannot encode \`${mn.written}\`: ${e.message}`, loc);
        throw e;
      }
    } else item.size = choice.length + rawPrefix.length;
    this.push(item);
  }

  private tryChoose(req: Request): Choice | null {
    try {
      return choose(req, this.intel);
    } catch (_) {
      return null;
    }
  }

  /** Says why no form matched, as precisely as it can. */
  private explain(st: Stmt, mn: MnemonicInfo, req: Request, ops: PlanOp[], mloc: Loc, loc: Loc): void {
    const forms = mn.mnemonics.flatMap((m) => allFormsFor(m, this.bits));
    if (forms.length === 0) {
      const other = mn.mnemonics.flatMap((m) => allFormsFor(m, this.bits === 64 ? 32 : 64));
      return this.error(`\`${mn.written}\` is not valid in ${this.bits}-bit code${other.length ? ` (it exists in ${this.bits === 64 ? '32' : '64'}-bit code)` : ''}`, mloc);
    }
    const counts = new Set(forms.map((f) => f.kinds.length));
    if (!counts.has(ops.length) && !mn.string) {
      if (counts.size === 1 && counts.has(0)) return this.error(`\`${mn.written}\` takes no operands`, loc);
      const list = [...counts].sort().join(' or ');
      return this.error(`\`${mn.written}\` takes ${list} operand${list === '1' ? '' : 's'}, not ${ops.length}`, loc);
    }
    const reg = ops.find((o) => o.k === 'reg' && o.reg.cls === 'gpr');
    if (req.size !== null && reg && reg.k === 'reg' && reg.reg.size !== req.size && !['movzx', 'movsx', 'movsxd'].includes(mn.mnemonics[0])) {
      return this.error(`operand size mismatch: \`${mn.written}\` with ${reg.reg.size}-bit register %${reg.reg.name}`, loc);
    }
    const regs = ops.filter((o) => o.k === 'reg' && o.reg.cls === 'gpr') as { k: 'reg'; reg: RegInfo }[];
    if (regs.length >= 2 && new Set(regs.map((r) => r.reg.size)).size > 1 && !['movzx', 'movsx', 'movsxd', 'shl', 'shr', 'sar', 'rol', 'ror', 'rcl', 'rcr', 'in', 'out', 'shld', 'shrd', 'lar', 'lsl'].includes(mn.mnemonics[0])) {
      return this.error(`operand size mismatch: \`${mn.written}\` with %${regs[0].reg.name} (${regs[0].reg.size}-bit) and %${regs[1].reg.name} (${regs[1].reg.size}-bit)`, loc);
    }
    if (req.size !== null) {
      const sized = candidates({ ...req, size: null, srcSize: null });
      const suffixOk = forms.some((f) => (f.operandSize || 0) === req.size || (req.size === 8 && f.operandSize === 0));
      if (!suffixOk || (sized.forms.length > 0 && !regs.length)) {
        return this.error(`invalid instruction suffix for \`${mn.written}\` in ${this.bits}-bit code`, mloc);
      }
    }
    for (const r of regs) {
      const fits = forms.some((f) => f.kinds.some((k) => registerFitsKind(r.reg, k)));
      if (!fits) return this.error(`\`${mn.written}\` cannot take the ${r.reg.size}-bit register %${r.reg.name}${this.bits === 64 && r.reg.size === 32 && mn.stack ? ' in 64-bit code (use the 64-bit register)' : ''}`, loc);
    }
    const imm = ops.find((o) => o.k === 'imm');
    if (imm && imm.k === 'imm' && imm.v.known) {
      const loose = candidates({ ...req, operands: req.operands.map((o) => (o.k === 'imm' ? { k: 'imm', value: 0n, known: true } : o)) });
      if (loose.forms.length > 0) return this.error(`immediate ${hex(imm.v.value)} is out of range for \`${mn.written}\``, loc);
    }
    if (ops.some((o) => o.k === 'mem') && this.intel && ops.some((o) => o.k === 'imm')) {
      return this.error(`ambiguous operand size for \`${mn.written}\`: write e.g. \`${mn.written} qword ptr [...], ...\``, loc);
    }
    return this.error(`invalid operands for \`${mn.written}\`${this.shapeHint(ops)}`, loc);
  }

  private shapeHint(ops: PlanOp[]): string {
    const d = ops.map((o) => (o.k === 'reg' ? `%${o.reg.name}` : o.k === 'imm' ? 'immediate' : o.k === 'mem' ? 'memory' : o.k === 'branch' ? 'address' : 'far pointer'));
    return d.length ? ` (${d.join(', ')})` : '';
  }

  // ---------------------------------------------------------------- layout

  private layout(): void {
    relaxSections(this.sections, MAX_SECTION_BYTES, {
      targetOf: (d, s) => this.layoutTarget(d, s),
      targetLabel: (d) => {
        if (d.known) return null;
        const e = d.expr.k === 'bin' && (d.expr.op === '+' || d.expr.op === '-') ? d.expr.a : d.expr;
        const sym = e.k === 'sym' ? this.symbols.get(e.name) : undefined;
        return sym && sym.kind === 'label' ? sym : null;
      },
      tooLarge: (it, s) => this.error(`this makes section ${s.name} larger than ${MAX_SECTION_BYTES} bytes`, it.loc),
    });
  }

  /** A branch or .org target as an offset in section `s`, or null if elsewhere or unknown. */
  private layoutTarget(d: Deferred, s: Section): number | null {
    if (d.known) return null;
    try {
      const v = evaluate(d.expr, this.finalContext(d.sec, d.item, d.dot));
      if (v.sec === s.index) return Number(v.off);
      return null;
    } catch (_) {
      return null;
    }
  }

  // ---------------------------------------------------------------- output

  private emit(): AssembleResult {
    const out = buildOutput({
      sections: this.sections,
      symbols: this.symbols,
      startBits: this.startBits,
      resolve: (d) => this.resolve(d),
      targetOf: (d, s) => this.layoutTarget(d, s),
      symbolValue: (sym) => this.symbolValue(sym, 0, 0, true),
      checkDataRange: (v, width, loc) => this.checkDataRange(v, width, loc),
      error: (message, loc) => this.error(message, loc),
      warn: (message, loc) => this.warn(message, loc),
    });
    this.diagnostics.sort((a, b) => a.line - b.line || a.column - b.column);
    return { ok: !this.diagnostics.some((d) => d.severity === 'error'), ...out, diagnostics: this.diagnostics };
  }
}

function topLevelCommas(tokens: Token[]): Token[] {
  const out: Token[] = [];
  let depth = 0;
  for (const t of tokens) {
    if (t.kind !== 'op') continue;
    if (t.text === '(' || t.text === '[') depth++;
    else if (t.text === ')' || t.text === ']') depth--;
    else if (t.text === ',' && depth === 0) out.push(t);
  }
  return out;
}


function base(mn: MnemonicInfo): string {
  return mn.mnemonics[0];
}

const gprKindSizes: Record<number, number> = {
  [K.r8_or_mem]: 8, [K.r8_reg]: 8, [K.r8_opcode]: 8, [K.al]: 8, [K.cl]: 8,
  [K.r16_or_mem]: 16, [K.r16_reg]: 16, [K.r16_rm]: 16, [K.r16_opcode]: 16, [K.ax]: 16, [K.dx]: 16,
  [K.r32_or_mem]: 32, [K.r32_reg]: 32, [K.r32_rm]: 32, [K.r32_opcode]: 32, [K.eax]: 32,
  [K.r64_or_mem]: 64, [K.r64_reg]: 64, [K.r64_rm]: 64, [K.r64_opcode]: 64, [K.rax]: 64,
};

function registerFitsKind(r: RegInfo, kind: number): boolean {
  return gprKindSizes[kind] === r.size;
}

function allFormsFor(mnemonic: string, bits: Bits): Form[] {
  return (formsOf(mnemonic) ?? []).filter((f) => (bits === 64 ? f.mode64 : bits === 32 ? f.mode32 : f.mode16));
}

let mnemonicList: string[] | null = null;
function mnemonicCandidates(): string[] {
  mnemonicList ??= allMnemonics();
  return mnemonicList;
}

const knownDirectives = [
  '.text', '.data', '.bss', '.section', '.globl', '.global', '.code16', '.code32', '.code64', '.intel_syntax', '.att_syntax', '.equ', '.set', '.equiv',
  '.byte', '.word', '.short', '.value', '.long', '.int', '.quad', '.ascii', '.asciz', '.string', '.align', '.balign', '.p2align', '.fill', '.skip',
  '.space', '.zero', '.org', '.macro', '.endm', '.exitm', '.rept', '.irp', '.irpc', '.endr', '.if', '.ifdef', '.ifndef', '.else', '.elseif', '.endif',
  '.ifeq', '.ifne', '.ifgt', '.ifge', '.iflt', '.ifle', '.ifb', '.ifnb', '.ifc', '.ifnc', '.error', '.warning', '.end', '.previous', '.pushsection', '.popsection',
];

setRegisterSuggester((name) => {
  const near = closest(name, registerNames());
  return near ? `; did you mean %${near}?` : '';
});


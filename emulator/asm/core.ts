/**
 * The assembler's shared state and services: diagnostics, sections, symbols and expressions.
 * The statement driver, the directive table, macros and conditionals all work on one AssemblerCore.
 */
import { ExprError, TokenCursor, evaluate, parseExpr, type EvalContext, type Expr, type ExprParseHooks, type Value } from './expr.ts';
import { tokenize, type Token } from './lexer.ts';
import { splitArgs } from './directive-args.ts';
import type { Invocation, Stmt } from './source.ts';
import type { AssembleOptions, Bits, Diagnostic, RelatedLocation } from './types.ts';
import type { Collecting, Cond, Deferred, Frame, Item, Loc, Macro, Section, Sym } from './model.ts';

export const MAX_MACRO_DEPTH = 100;
export const MAX_STATEMENTS = 100_000;
export const MAX_SECTION_BYTES = 16 * 1024 * 1024;
export const MAX_EXPANDED_LINE = 65_536;
const MAX_RELATED = 10;

/** Thrown (without a stack trace, which is costly) when the first pass meets a symbol not defined yet. */
export class Undefined {
  constructor(readonly message: string) {}
}

export const hex = (v: bigint) => (v < 0n ? `-0x${(-v).toString(16)}` : `0x${v.toString(16)}`);

export interface Arg {
  text: string;
  col: number;
}

/** `.struct`: labels become absolute offsets and data only moves the counter, until the next section change. */
export interface StructBlock {
  offset: number;
  loc: Loc;
}

export class AssemblerCore {
  diagnostics: Diagnostic[] = [];
  private reported = new Set<string>();
  sections: Section[] = [];
  cur!: Section;
  prevSection: Section | null = null;
  sectionStack: Section[] = [];
  struct: StructBlock | null = null;
  symbols = new Map<string, Sym>();
  localCounts = new Map<string, number>();
  macros = new Map<string, Macro>();
  frames: Frame[] = [];
  conds: Cond[] = [];
  collecting: Collecting | null = null;
  bits: Bits;
  readonly startBits: Bits;
  intel = false;
  altmacro = false;
  macroCounter = 0;
  localNameCounter = 0;
  ended = false;
  current: Stmt | null = null;
  tooBig = false;
  /** All sections together: many sections each under the limit must not add up to unbounded memory. */
  totalSize = 0;
  dotBias = 0;
  private sectionBases: Record<string, bigint> = {};

  constructor(options: AssembleOptions) {
    this.bits = options.bits ?? 64;
    this.startBits = this.bits;
    for (const [name, v] of Object.entries(options.sectionBases ?? {})) this.sectionBases[name] = BigInt(v);
    for (const [name, v] of Object.entries(options.symbols ?? {})) {
      this.symbols.set(name, { name, kind: 'supplied', sec: -1, value: BigInt(v), expr: null, exprSec: 0, exprItem: 0, known: true, global: false, line: 0, evaluating: false });
    }
    this.cur = this.section('.text');
  }

  // ---------------------------------------------------------------- diagnostics

  /** One diagnostic per distinct position and message: a bad line in a macro body is reported once, however often it expands. */
  report(severity: 'error' | 'warning', message: string, loc: Loc): void {
    const key = `${severity}\u0000${loc.file ?? ''}\u0000${loc.line}\u0000${loc.col}\u0000${message}`;
    if (this.reported.has(key)) return;
    this.reported.add(key);
    const d: Diagnostic = { severity, line: loc.line, column: loc.col + 1, endLine: loc.line, endColumn: Math.max(loc.end, loc.col + 1) + 1, message };
    if (loc.file !== undefined) d.file = loc.file;
    const related = relatedLocations(loc);
    if (related.length) d.related = related;
    this.diagnostics.push(d);
  }
  error(message: string, loc: Loc): void {
    this.report('error', message, loc);
  }
  warn(message: string, loc: Loc): void {
    this.report('warning', message, loc);
  }
  stmtLoc(st: Stmt): Loc {
    const loc: Loc = { line: st.line, col: st.col, end: st.col + st.span, mainLine: st.mainLine, exact: st.exact };
    if (st.file !== undefined) loc.file = st.file;
    if (st.chain) loc.chain = st.chain;
    return loc;
  }
  /** A range inside a statement; the whole statement when expansion changed its text. */
  at(st: Stmt, col: number, end: number): Loc {
    const loc = this.stmtLoc(st);
    if (!st.exact) return loc;
    loc.col = col;
    loc.end = end;
    return loc;
  }

  // ---------------------------------------------------------------- sections

  section(name: string, flags = ''): Section {
    let s = this.sections.find((x) => x.name === name);
    if (!s) {
      const code = name === '.text' || name.startsWith('.text.') || name === '.init' || name === '.fini' || flags.includes('x');
      s = { name, index: this.sections.length, items: [], size: 0, code, base: this.sectionBases[name] ?? 0n };
      this.sections.push(s);
    } else if (flags.includes('x')) s.code = true;
    return s;
  }
  switchTo(s: Section): void {
    this.struct = null;
    if (s !== this.cur) this.prevSection = this.cur;
    this.cur = s;
  }
  push(item: Item): void {
    if (this.struct) {
      this.struct.offset += item.size;
      return;
    }
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
  /** Where the next byte goes: the section offset, or the `.struct` counter. */
  here(): number {
    return this.struct ? this.struct.offset : this.cur.size;
  }

  // ---------------------------------------------------------------- symbols and expressions

  localName(label: string, n: number): string {
    return `.L${label}\u0002${n}`;
  }

  /** Local label references resolve when read: `1b` is the last `1:` so far, `1f` the next one. */
  readonly exprHooks: ExprParseHooks = {
    localRef: (label, dir, col, end) => {
      const count = this.localCounts.get(label) ?? 0;
      if (dir === 'b') {
        if (count === 0) throw new ExprError(`no local label \`${label}:\` before this \`${label}b\``, col, end);
        return this.localName(label, count);
      }
      return this.localName(label, count + 1);
    },
  };

  displayName(name: string): string {
    const i = name.indexOf('\u0002');
    if (i < 0) return name;
    return `${name.slice(2, i)} (local label)`;
  }

  sectionName = (sec: number) => (sec < 0 ? 'absolute' : this.sections[sec].name);

  /** First-pass context: labels give provisional offsets; undefined symbols throw Undefined. */
  pass1Context(): EvalContext {
    return this.firstPass;
  }
  private readonly firstPass: EvalContext = {
    symbol: (name, col, end) => {
      const s = this.symbols.get(name);
      if (!s) throw new Undefined(name);
      return this.symbolValue(s, col, end, false);
    },
    dot: () => (this.struct ? { sec: -1, off: BigInt(this.struct.offset + this.dotBias), layout: false } : { sec: this.cur.index, off: BigInt(this.cur.size + this.dotBias), layout: true }),
    sectionName: (sec) => this.sectionName(sec),
    warn: (m, col, end) => this.current && this.warn(m, this.at(this.current, col, end)),
  };

  symbolValue(s: Sym, col: number, end: number, final: boolean): Value {
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

  finalContext(sec: number, item: number, bias = 0): EvalContext {
    return new FinalContext(this, sec, item, bias);
  }

  /** Evaluates now if the value is a constant known at this point; otherwise defers to the final pass. */
  defer(e: Expr): Deferred {
    try {
      const v = evaluate(e, this.pass1Context());
      if (v.sec === -1 && !v.layout) return { known: true, value: v.off };
    } catch (err) {
      if (!(err instanceof Undefined)) throw err;
    }
    return { known: false, expr: e, sec: this.cur.index, item: this.cur.items.length, dot: this.dotBias };
  }

  /** A constant needed right now (.rept counts, .if conditions, sizes). */
  constant(e: Expr, what: string): bigint {
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

  tryConstant(e: Expr): bigint | null {
    try {
      const v = evaluate(e, this.pass1Context());
      return v.sec === -1 && !v.layout ? v.off : null;
    } catch (_) {
      return null;
    }
  }

  /** The final absolute value of a deferred expression (labels become base + offset). */
  resolve(d: Deferred): bigint {
    if (d.known) return d.value;
    const v = evaluate(d.expr, this.finalContext(d.sec, d.item, d.dot));
    return v.sec === -1 ? v.off : this.sections[v.sec].base + v.off;
  }

  defineLabel(name: string, loc: Loc): void {
    const existing = this.symbols.get(name);
    if (existing && (existing.kind !== 'equ' || existing.known || existing.expr)) {
      if (existing.kind === 'label' || existing.kind === 'supplied' || existing.kind === 'equ') {
        this.error(`symbol \`${this.displayName(name)}\` is already defined${existing.line ? ` on line ${existing.line}` : ' (supplied by the exercise)'}`, loc);
        return;
      }
    }
    if (this.struct) {
      this.symbols.set(name, { name, kind: 'equ', sec: -1, value: BigInt(this.struct.offset), expr: null, exprSec: 0, exprItem: 0, known: true, global: existing?.global ?? false, line: loc.mainLine, evaluating: false });
      return;
    }
    const sym: Sym = { name, kind: 'label', sec: this.cur.index, value: BigInt(this.cur.size), expr: null, exprSec: 0, exprItem: 0, known: false, global: existing?.global ?? false, line: loc.mainLine, evaluating: false };
    this.symbols.set(name, sym);
    this.push({ k: 'label', sym, loc, offset: 0, size: 0 });
  }

  /** `.set`/`=` may redefine; `.equiv` and `.eqv` may not. An `.eqv` is evaluated where it is used, not where it is defined. */
  defineEqu(name: string, e: Expr, loc: Loc, rule: 'set' | 'equiv' | 'eqv'): void {
    const existing = this.symbols.get(name);
    const defined = existing && (existing.kind !== 'equ' || existing.known || existing.expr !== null);
    if (existing && (existing.kind === 'label' || existing.kind === 'supplied' || (defined && rule !== 'set'))) {
      this.error(`symbol \`${name}\` is already defined${existing.line ? ` on line ${existing.line}` : ' (supplied by the exercise)'}`, loc);
      return;
    }
    const d: Deferred = rule === 'eqv' ? { known: false, expr: e, sec: this.cur.index, item: this.cur.items.length, dot: 0 } : this.defer(e);
    const sym: Sym = {
      name, kind: 'equ', sec: -1, value: d.known ? d.value : 0n, expr: d.known ? null : e, exprSec: this.cur.index, exprItem: this.cur.items.length,
      known: d.known, global: existing?.global ?? false, line: loc.mainLine, evaluating: false,
    };
    this.symbols.set(name, sym);
  }

  tokens(text: string, col: number): Token[] {
    return tokenize(text, col, { intel: this.intel, percentRegisters: true });
  }

  exprFrom(text: string, col: number): Expr {
    const cur = new TokenCursor(this.tokens(text, col));
    const e = parseExpr(cur, this.exprHooks);
    if (!cur.atEnd()) {
      const t = cur.peek();
      throw new ExprError(`unexpected \`${t.text}\` after expression`, t.col, t.end);
    }
    return e;
  }

  /** Arguments with their columns. */
  args(text: string, col: number): Arg[] {
    const parts = splitArgs(text);
    const out: Arg[] = [];
    let pos = 0;
    for (const p of parts) {
      const lead = p.length - p.trimStart().length;
      out.push({ text: p.trim(), col: col + pos + lead });
      pos += p.length + 1;
    }
    return out;
  }

  checkDataRange(v: bigint, width: number, loc: Loc): void {
    if (width >= 8) return;
    const bits = BigInt(width * 8);
    if (v < -(1n << bits) || v >= 1n << bits) {
      this.warn(`value ${hex(v)} truncated to ${hex(BigInt.asUintN(Number(bits), v))}`, loc);
    }
  }
}

/** A class rather than an object of arrow functions: the final pass builds one per deferred value, and closures cost more. */
class FinalContext implements EvalContext {
  constructor(
    private readonly a: AssemblerCore,
    private readonly sec: number,
    private readonly item: number,
    private readonly bias: number,
  ) {}
  symbol(name: string, col: number, end: number): Value {
    const s = this.a.symbols.get(name);
    if (!s) throw new ExprError(`undefined symbol \`${this.a.displayName(name)}\``, col, end);
    return this.a.symbolValue(s, col, end, true);
  }
  dot(): Value {
    const section = this.a.sections[this.sec];
    const it = section.items[this.item];
    const at = it ? it.offset : section.items.length ? section.items[section.items.length - 1].offset + section.items[section.items.length - 1].size : 0;
    return { sec: this.sec, off: BigInt(at + this.bias), layout: true };
  }
  sectionName(sec: number): string {
    return this.a.sectionName(sec);
  }
}

function relatedLocations(loc: Loc): RelatedLocation[] {
  const out: RelatedLocation[] = [];
  let bodyLine = loc.line;
  let outerFile = loc.file;
  const chain: Invocation[] = [];
  for (let inv = loc.chain; inv; inv = inv.outer) chain.push(inv);
  chain.forEach((inv, i) => {
    const verb = inv.what.startsWith('macro') ? 'invoked' : 'expanded';
    const inBody = outerFile !== undefined ? ` of ${outerFile}` : '';
    const from = inv.file !== undefined ? ` of ${inv.file}` : '';
    const r: RelatedLocation = { line: inv.line, column: inv.col + 1, endLine: inv.line, endColumn: Math.max(inv.end, inv.col + 1) + 1, message: `in ${inv.what} at line ${bodyLine}${inBody}, ${verb} from line ${inv.line}${from}` };
    if (inv.file !== undefined) r.file = inv.file;
    // A runaway recursion would list a hundred levels: the innermost ones and the outermost say enough.
    if (i < MAX_RELATED - 1 || i === chain.length - 1) out.push(r);
    bodyLine = inv.line;
    outerFile = inv.file;
  });
  if (outerFile !== undefined) out.push({ line: loc.mainLine, column: 1, endLine: loc.mainLine, endColumn: 2, message: `\`${outerFile}\` is included from line ${loc.mainLine}` });
  return out;
}

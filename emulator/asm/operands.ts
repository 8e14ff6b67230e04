/** Operand syntax of AT&T and Intel GNU as, parsed into one shape. */
import { ExprError, TokenCursor, parseExpr, type Expr, type ExprParseHooks } from './expr.ts';
import type { Token } from './lexer.ts';
import { lookupRegister, type RegInfo } from './encode-registers.ts';

export interface MemAst {
  k: 'mem';
  base: RegInfo | null;
  index: RegInfo | null;
  scale: number;
  seg: RegInfo | null;
  disp: Expr | null;
  bits: number | null;
  indirect: boolean;
  col: number;
  end: number;
}

export type OpAst =
  | { k: 'reg'; reg: RegInfo; indirect: boolean; col: number; end: number }
  | { k: 'imm'; expr: Expr; col: number; end: number }
  | MemAst
  | { k: 'expr'; expr: Expr; indirect: boolean; col: number; end: number }
  | { k: 'far'; sel: Expr; off: Expr; col: number; end: number };

export class OperandError extends Error {
  constructor(message: string, readonly col: number, readonly end: number) {
    super(message);
  }
}

const sizeWords: Record<string, number> = { far: 48, byte: 8, word: 16, dword: 32, fword: 48, qword: 64, tbyte: 80, oword: 128, xmmword: 128 };

function describe(t: Token): string {
  return t.kind === 'eol' ? 'end of operand' : `\`${t.kind === 'reg' ? '%' : ''}${t.text}\``;
}

/** Splits a token list at top-level commas. */
export function splitOperands(tokens: Token[]): Token[][] {
  const parts: Token[][] = [];
  let cur: Token[] = [];
  let depth = 0;
  for (const t of tokens) {
    if (t.kind === 'eol') break;
    if (t.kind === 'op' && (t.text === '(' || t.text === '[')) depth++;
    if (t.kind === 'op' && (t.text === ')' || t.text === ']')) depth--;
    if (t.kind === 'op' && t.text === ',' && depth === 0) {
      parts.push(cur);
      cur = [];
      continue;
    }
    cur.push(t);
  }
  if (cur.length > 0 || parts.length > 0) parts.push(cur);
  return parts;
}

function withEol(tokens: Token[], end: number): Token[] {
  return [...tokens, { kind: 'eol', text: '', col: end, end }];
}

function regOf(t: Token, intel: boolean): RegInfo | null {
  if (t.kind === 'reg') {
    const r = lookupRegister(t.text);
    if (!r) throw new OperandError(`unknown register %${t.text}${suggestRegister(t.text)}`, t.col, t.end);
    return r;
  }
  if (intel && t.kind === 'id') return lookupRegister(t.text) ?? null;
  return null;
}

let suggester: (name: string) => string = () => '';
export function setRegisterSuggester(fn: (name: string) => string): void {
  suggester = fn;
}
function suggestRegister(name: string): string {
  return suggester(name);
}

function parseScale(cur: TokenCursor, hooks: ExprParseHooks, evalConst: (e: Expr) => bigint | null): number {
  const start = cur.peek();
  const e = parseExpr(cur, hooks, 7);
  const v = evalConst(e);
  if (v === null || ![1n, 2n, 4n, 8n].includes(v)) throw new OperandError('scale factor must be 1, 2, 4 or 8', start.col, e.end);
  return Number(v);
}

export interface OperandContext {
  hooks: ExprParseHooks;
  evalConst(e: Expr): bigint | null;
}

/** AT&T: `$imm`, `%reg`, `*%reg`, `seg:disp(base,index,scale)`, `disp`, `$sel, $off` handled by the caller. */
export function parseAttOperand(tokens: Token[], ctx: OperandContext): OpAst {
  if (tokens.length === 0) throw new OperandError('missing operand', 0, 0);
  const col = tokens[0].col;
  const end = tokens[tokens.length - 1].end;
  const cur = new TokenCursor(withEol(tokens, end));
  let indirect = false;
  if (cur.isOp('*')) {
    cur.next();
    indirect = true;
  }
  if (cur.isOp('[')) {
    throw new OperandError('`[...]` is Intel syntax: in AT&T write disp(%base,%index,scale), e.g. 8(%rdi) (or switch with .intel_syntax noprefix)', col, end);
  }
  if (cur.isOp('$')) {
    if (indirect) throw new OperandError('`*` cannot precede an immediate', col, end);
    cur.next();
    const expr = parseExpr(cur, ctx.hooks);
    expectEnd(cur);
    return { k: 'imm', expr, col, end };
  }
  let seg: RegInfo | null = null;
  const first = cur.peek();
  if (first.kind === 'reg') {
    const r = regOf(first, false)!;
    cur.next();
    if (cur.isOp(':')) {
      if (r.cls !== 'seg') throw new OperandError(`%${r.name} is not a segment register`, first.col, first.end);
      cur.next();
      seg = r;
    } else {
      expectEnd(cur);
      return { k: 'reg', reg: r, indirect, col, end };
    }
  }
  // The base/index group is the last top-level `(` whose contents start with a register or a comma.
  const rest = cur.tokens.slice(cur.pos, -1);
  let groupAt = -1;
  let depth = 0;
  for (let i = 0; i < rest.length; i++) {
    const t = rest[i];
    if (t.kind === 'op' && t.text === '(') {
      const nx = rest[i + 1];
      if (depth === 0 && nx && (nx.kind === 'reg' || (nx.kind === 'op' && nx.text === ','))) groupAt = i;
      depth++;
    } else if (t.kind === 'op' && t.text === ')') depth--;
  }
  let disp: Expr | null = null;
  const dispTokens = groupAt < 0 ? rest : rest.slice(0, groupAt);
  if (dispTokens.length > 0) {
    const dc = new TokenCursor(withEol(dispTokens, dispTokens[dispTokens.length - 1].end));
    disp = parseExpr(dc, ctx.hooks);
    expectEnd(dc);
  }
  if (groupAt < 0) {
    if (!disp) throw new OperandError('missing operand', col, end);
    if (seg) return { k: 'mem', base: null, index: null, scale: 1, seg, disp, bits: null, indirect, col, end };
    return { k: 'expr', expr: disp, indirect, col, end };
  }
  const gc = new TokenCursor(withEol(rest.slice(groupAt), end));
  gc.next();
  let base: RegInfo | null = null;
  let index: RegInfo | null = null;
  let scale = 1;
  const bt = gc.peek();
  if (bt.kind === 'reg') {
    base = regOf(bt, false);
    gc.next();
  }
  if (gc.isOp(',')) {
    gc.next();
    const it = gc.peek();
    if (it.kind === 'reg') {
      index = regOf(it, false);
      gc.next();
    } else if (!gc.isOp(',') && !gc.isOp(')')) throw new OperandError(`expected an index register, found ${describe(it)}`, it.col, it.end);
    if (gc.isOp(',')) {
      gc.next();
      if (!gc.isOp(')')) scale = parseScale(gc, ctx.hooks, ctx.evalConst);
    }
  }
  const close = gc.next();
  if (close.kind !== 'op' || close.text !== ')') throw new OperandError(`expected \`)\`, found ${describe(close)}`, close.col, close.end);
  expectEnd(gc);
  checkAddressRegs(base, index, col, end);
  return { k: 'mem', base, index, scale, seg, disp, bits: null, indirect, col, end };
}

function checkAddressRegs(base: RegInfo | null, index: RegInfo | null, col: number, end: number): void {
  if (base && base.cls !== 'gpr' && base.cls !== 'ip') throw new OperandError(`%${base.name} cannot be a base register`, col, end);
  if (base && base.cls === 'gpr' && base.size === 8) throw new OperandError(`%${base.name} cannot be a base register (8-bit)`, col, end);
  if (index && (index.cls !== 'gpr' || index.size === 8)) throw new OperandError(`%${index.name} cannot be an index register`, col, end);
  if (index && (index.name === 'rsp' || index.name === 'esp' || index.name === 'sp')) throw new OperandError(`%${index.name} cannot be an index register`, col, end);
  if (base && index && base.cls === 'gpr' && base.size !== index.size) throw new OperandError(`base %${base.name} and index %${index.name} differ in size`, col, end);
  if (base?.cls === 'ip' && index) throw new OperandError(`%${base.name} cannot be used with an index register`, col, end);
}

function expectEnd(cur: TokenCursor): void {
  const t = cur.peek();
  if (t.kind !== 'eol') throw new OperandError(`unexpected ${describe(t)} in operand`, t.col, t.end);
}

/** Intel: `reg`, `imm`, `[base + index*scale + disp]`, `size ptr seg:[...]`, `offset sym`, `sel:off`. */
export function parseIntelOperand(tokens: Token[], ctx: OperandContext): OpAst {
  if (tokens.length === 0) throw new OperandError('missing operand', 0, 0);
  const col = tokens[0].col;
  const end = tokens[tokens.length - 1].end;
  for (let i = 0; i + 1 < tokens.length; i++) {
    const t = tokens[i];
    const n = tokens[i + 1];
    if (t.kind === 'op' && t.text === '(' && (n.kind === 'reg' || (n.kind === 'id' && lookupRegister(n.text)))) {
      throw new OperandError('`(register)` is AT&T syntax: in Intel syntax write memory operands in brackets, e.g. [rdi + 8]', col, end);
    }
  }
  if (tokens[0].kind === 'id' && /^\$\d/.test(tokens[0].text)) {
    throw new OperandError(`\`${tokens[0].text}\` is AT&T immediate syntax: in Intel syntax write ${tokens[0].text.slice(1)}`, col, end);
  }
  const cur = new TokenCursor(withEol(tokens, end));
  let bits: number | null = null;
  const t0 = cur.peek();
  if (t0.kind === 'id' && sizeWords[t0.text.toLowerCase()] !== undefined) {
    const nx = cur.peek(1);
    if ((nx.kind === 'id' && nx.text.toLowerCase() === 'ptr') || nx.kind === 'op' && nx.text === '[' || nx.kind === 'reg' || nx.kind === 'id') {
      bits = sizeWords[t0.text.toLowerCase()];
      cur.next();
      if (cur.peek().kind === 'id' && cur.peek().text.toLowerCase() === 'ptr') cur.next();
    }
  }
  if (bits === null && cur.peek().kind === 'id' && cur.peek().text.toLowerCase() === 'offset') {
    cur.next();
    const expr = parseExpr(cur, ctx.hooks);
    expectEnd(cur);
    return { k: 'imm', expr, col, end };
  }
  let seg: RegInfo | null = null;
  const maybeSeg = cur.peek();
  const segReg = regOf(maybeSeg, true);
  if (segReg && segReg.cls === 'seg' && cur.isOp(':', 1)) {
    seg = segReg;
    cur.next();
    cur.next();
  } else if (segReg && bits === null && cur.peek(1).kind === 'eol') {
    cur.next();
    return { k: 'reg', reg: segReg, indirect: false, col, end };
  }
  let base: RegInfo | null = null;
  let index: RegInfo | null = null;
  let scale = 1;
  let disp: Expr | null = null;
  let sawBracket = false;
  const addDisp = (e: Expr, negative: boolean) => {
    const term: Expr = negative ? { k: 'un', op: '-', a: e, col: e.col, end: e.end } : e;
    disp = disp ? { k: 'bin', op: '+', a: disp, b: term, col: disp.col, end: term.end } : term;
  };
  const addReg = (r: RegInfo, sc: number | null, at: Token) => {
    if (sc !== null || (base && !index)) {
      if (index) throw new OperandError('only one index register is allowed', at.col, at.end);
      index = r;
      scale = sc ?? 1;
    } else if (!base) base = r;
    else throw new OperandError('too many registers in memory operand', at.col, at.end);
  };
  const hooks: ExprParseHooks = { ...ctx.hooks, stopAtIdent: (name) => lookupRegister(name) !== undefined };
  // Terms of one bracket (or the bare prefix before a bracket), split at top-level + and -.
  const parseTerms = (closer: string | null) => {
    let negative = false;
    for (;;) {
      const t = cur.peek();
      if (t.kind === 'eol' || (closer && t.kind === 'op' && t.text === closer)) break;
      if (t.kind === 'op' && t.text === '[') break;
      const r = regOf(t, true);
      if (r && closer === null && !(r.cls === 'seg' && cur.isOp(':', 1))) {
        throw new OperandError(`register ${r.name} must be inside the brackets of a memory operand, e.g. [${r.name} + 8]`, t.col, t.end);
      }
      if (r) {
        cur.next();
        if (negative) throw new OperandError(`register ${r.name} cannot be subtracted`, t.col, t.end);
        if (r.cls === 'seg' && cur.isOp(':')) {
          cur.next();
          seg = r;
          continue;
        }
        let sc: number | null = null;
        if (cur.isOp('*')) {
          cur.next();
          sc = parseScale(cur, hooks, ctx.evalConst);
        }
        addReg(r, sc, t);
      } else {
        const after = cur.peek(1);
        const next2 = cur.peek(2);
        if (t.kind === 'num' && after.kind === 'op' && after.text === '*' && regOf(next2, true) && closer === null) {
          throw new OperandError(`register ${next2.text} must be inside the brackets of a memory operand`, next2.col, next2.end);
        }
        if ((t.kind === 'num') && after.kind === 'op' && after.text === '*' && regOf(next2, true)) {
          cur.next();
          cur.next();
          const ir = regOf(next2, true)!;
          cur.next();
          const v = t.value!;
          if (![1n, 2n, 4n, 8n].includes(v)) throw new OperandError('scale factor must be 1, 2, 4 or 8', t.col, next2.end);
          addReg(ir, Number(v), next2);
        } else {
          const e = parseTermExpr(cur, hooks);
          addDisp(e, negative);
        }
      }
      negative = false;
      const sep = cur.peek();
      if (sep.kind === 'op' && (sep.text === '+' || sep.text === '-')) {
        cur.next();
        negative = sep.text === '-';
        continue;
      }
      if (sep.kind === 'eol' || (closer && sep.kind === 'op' && sep.text === closer) || (sep.kind === 'op' && sep.text === '[')) break;
      if (!closer && sep.kind === 'op' && sep.text === ':') break;
      throw new OperandError(`unexpected ${describe(sep)} in memory operand`, sep.col, sep.end);
    }
  };
  for (;;) {
    const t = cur.peek();
    if (t.kind === 'eol') break;
    if (t.kind === 'op' && t.text === '[') {
      sawBracket = true;
      cur.next();
      parseTerms(']');
      const close = cur.next();
      if (close.kind !== 'op' || close.text !== ']') throw new OperandError(`expected \`]\`, found ${describe(close)}`, close.col, close.end);
      continue;
    }
    if (sawBracket && t.kind === 'op' && (t.text === '+' || t.text === '-')) {
      cur.next();
      const e = parseTermExpr(cur, hooks);
      addDisp(e, t.text === '-');
      continue;
    }
    if (!sawBracket) {
      const r = regOf(t, true);
      if (r && !seg && bits === null && cur.peek(1).kind === 'eol') {
        cur.next();
        return { k: 'reg', reg: r, indirect: false, col, end };
      }
      if (r && cur.peek(1).kind === 'eol' && !seg) {
        // `dword ptr eax` is not an operand GNU as accepts either.
        throw new OperandError(`a size (${Object.keys(sizeWords).find((k) => sizeWords[k] === bits)} ptr) cannot apply to register ${r.name}`, col, end);
      }
      parseTerms(null);
      if (cur.isOp(':') && !seg && !base && !index && disp) {
        cur.next();
        const off = parseExpr(cur, hooks);
        expectEnd(cur);
        return { k: 'far', sel: disp, off, col, end };
      }
      continue;
    }
    throw new OperandError(`unexpected ${describe(t)} in operand`, t.col, t.end);
  }
  const b = base as RegInfo | null;
  const x = index as RegInfo | null;
  if (!sawBracket && !b && !x && !seg && disp) return { k: 'expr', expr: disp, indirect: false, col, end };
  if (!sawBracket && (b || x)) {
    // Registers outside brackets with a displacement (`foo[rip]` was handled as a bracket).
  }
  if (!disp && !b && !x) throw new OperandError('missing operand', col, end);
  checkAddressRegs(b, x, col, end);
  return { k: 'mem', base: b, index: x, scale, seg, disp, bits, indirect: false, col, end };
}

function parseTermExpr(cur: TokenCursor, hooks: ExprParseHooks): Expr {
  // A term ends at top-level + or - so that registers can follow; parse at the rank just above +/-.
  try {
    return parseExpr(cur, hooks, 7);
  } catch (e) {
    if (e instanceof ExprError) throw new OperandError(e.message, e.col, e.end);
    throw e;
  }
}

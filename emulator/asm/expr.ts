import type { Token } from './lexer.ts';

/** An expression tree; columns are 0-based offsets into the source line. */
export type Expr =
  | { k: 'num'; v: bigint; col: number; end: number }
  | { k: 'sym'; name: string; col: number; end: number }
  | { k: 'dot'; col: number; end: number }
  | { k: 'un'; op: string; a: Expr; col: number; end: number }
  | { k: 'bin'; op: string; a: Expr; b: Expr; col: number; end: number };

/** A value: absolute (sec -1) or an offset inside a section. `layout` marks values that depend on label positions. */
export interface Value {
  sec: number;
  off: bigint;
  layout: boolean;
}

export class ExprError extends Error {
  constructor(message: string, readonly col: number, readonly end: number) {
    super(message);
  }
}

export interface EvalContext {
  symbol(name: string, col: number, end: number): Value;
  dot(): Value;
  sectionName(sec: number): string;
  warn?(message: string, col: number, end: number): void;
}

/** Binding strength of GNU as's infix operators (binutils expr.c op_rank): shifts bind tighter than +/-. */
const rank: Record<string, number> = {
  '*': 9, '/': 9, '%': 9, '<<': 9, '>>': 9,
  '|': 8, '!': 8, '^': 8, '&': 8,
  '+': 7, '-': 7,
  '==': 4, '!=': 4, '<>': 4, '<': 4, '<=': 4, '>': 4, '>=': 4,
  '&&': 3, '||': 2,
};

export class TokenCursor {
  pos = 0;
  constructor(readonly tokens: Token[]) {}
  peek(offset = 0): Token {
    return this.tokens[Math.min(this.pos + offset, this.tokens.length - 1)];
  }
  next(): Token {
    const t = this.peek();
    if (this.pos < this.tokens.length - 1) this.pos++;
    return t;
  }
  isOp(text: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t.kind === 'op' && t.text === text;
  }
  atEnd(): boolean {
    return this.peek().kind === 'eol';
  }
}

export interface ExprParseHooks {
  /** Maps a local label reference (`1f`, `1b`) to the internal symbol name. */
  localRef(label: string, dir: 'f' | 'b', col: number, end: number): string;
  /** Intel syntax: a bare identifier that is a register, or another non-expression word, ends the expression. */
  stopAtIdent?(name: string): boolean;
}

function describe(t: Token): string {
  return t.kind === 'eol' ? 'end of line' : `\`${t.text}\``;
}

const MAX_DEPTH = 256;
const MAX_OPERATORS = 4096;
let depth = 0;
let operators = 0;

/** Parses one expression; nesting deeper than MAX_DEPTH is an error rather than a stack overflow. */
export function parseExpr(cur: TokenCursor, hooks: ExprParseHooks, minRank = 0): Expr {
  if (depth >= MAX_DEPTH) {
    const t = cur.peek();
    throw new ExprError(`expression nested more than ${MAX_DEPTH} deep`, t.col, t.end);
  }
  if (depth === 0) operators = 0;
  depth++;
  try {
    return parseBinary(cur, hooks, minRank);
  } finally {
    depth--;
  }
}

function parseBinary(cur: TokenCursor, hooks: ExprParseHooks, minRank: number): Expr {
  let left = parseUnary(cur, hooks);
  for (;;) {
    const t = cur.peek();
    if (t.kind !== 'op') break;
    const r = rank[t.text];
    if (r === undefined || r <= minRank) break;
    // Evaluation recurses over the tree, so an absurdly long chain is refused here.
    if (++operators > MAX_OPERATORS) throw new ExprError(`expression has more than ${MAX_OPERATORS} operators`, t.col, t.end);
    cur.next();
    // GNU as reads `!!` between operands as exclusive or (kept for MRI compatibility).
    let op = t.text;
    if (op === '!' && cur.isOp('!')) {
      cur.next();
      op = '^';
    }
    const right = parseExpr(cur, hooks, r);
    left = { k: 'bin', op, a: left, b: right, col: left.col, end: right.end };
  }
  return left;
}

function parseUnary(cur: TokenCursor, hooks: ExprParseHooks): Expr {
  const t = cur.peek();
  if (t.kind === 'op' && (t.text === '-' || t.text === '+' || t.text === '~' || t.text === '!')) {
    cur.next();
    const a = parseExpr(cur, hooks, 9);
    return { k: 'un', op: t.text, a, col: t.col, end: a.end };
  }
  return parsePrimary(cur, hooks);
}

function parsePrimary(cur: TokenCursor, hooks: ExprParseHooks): Expr {
  const t = cur.next();
  switch (t.kind) {
    case 'num':
      return { k: 'num', v: t.value!, col: t.col, end: t.end };
    case 'local':
      return { k: 'sym', name: hooks.localRef(t.local!.label, t.local!.dir, t.col, t.end), col: t.col, end: t.end };
    case 'id':
      if (t.text === '.') return { k: 'dot', col: t.col, end: t.end };
      if (hooks.stopAtIdent?.(t.text)) throw new ExprError(`expected an expression, found ${describe(t)}`, t.col, t.end);
      return { k: 'sym', name: t.text, col: t.col, end: t.end };
    case 'op':
      if (t.text === '(') {
        const inner = parseExpr(cur, hooks);
        const close = cur.next();
        if (close.kind !== 'op' || close.text !== ')') throw new ExprError(`expected \`)\`, found ${describe(close)}`, close.col, close.end);
        return { ...inner, col: t.col, end: close.end } as Expr;
      }
      break;
    default:
      break;
  }
  throw new ExprError(`expected an expression, found ${describe(t)}`, t.col, t.end);
}

const wrap = (v: bigint) => BigInt.asIntN(64, v);
const bool = (b: boolean) => (b ? -1n : 0n);

export function evaluate(e: Expr, ctx: EvalContext): Value {
  switch (e.k) {
    case 'num':
      return { sec: -1, off: wrap(e.v), layout: false };
    case 'sym':
      return ctx.symbol(e.name, e.col, e.end);
    case 'dot':
      return ctx.dot();
    case 'un': {
      const a = evaluate(e.a, ctx);
      if (e.op === '+') return a;
      if (a.sec !== -1) throw new ExprError(`\`${e.op}\` cannot be applied to an address in ${ctx.sectionName(a.sec)}`, e.col, e.end);
      const v = e.op === '-' ? -a.off : e.op === '~' ? ~a.off : a.off === 0n ? 1n : 0n;
      return { sec: -1, off: wrap(v), layout: a.layout };
    }
    case 'bin': {
      const a = evaluate(e.a, ctx);
      const b = evaluate(e.b, ctx);
      const layout = a.layout || b.layout;
      if (e.op === '+') {
        if (a.sec !== -1 && b.sec !== -1) throw new ExprError('cannot add two addresses', e.col, e.end);
        return { sec: a.sec !== -1 ? a.sec : b.sec, off: wrap(a.off + b.off), layout };
      }
      if (e.op === '-') {
        if (b.sec === -1) return { sec: a.sec, off: wrap(a.off - b.off), layout };
        if (a.sec === b.sec) return { sec: -1, off: wrap(a.off - b.off), layout: true };
        throw new ExprError(
          `cannot subtract an address in ${ctx.sectionName(b.sec)} from ${a.sec === -1 ? 'a number' : `an address in ${ctx.sectionName(a.sec)}`}`,
          e.col,
          e.end,
        );
      }
      if (a.sec !== -1 || b.sec !== -1) {
        throw new ExprError(`\`${e.op}\` needs numbers, not addresses (${a.sec !== -1 ? ctx.sectionName(a.sec) : ctx.sectionName(b.sec)})`, e.col, e.end);
      }
      const x = a.off;
      const y = b.off;
      let v: bigint;
      switch (e.op) {
        case '*': v = x * y; break;
        case '/':
        case '%':
          // GNU as warns and divides by 1 instead (expr.c).
          if (y === 0n) ctx.warn?.('division by zero', e.col, e.end);
          v = y === 0n ? (e.op === '/' ? x : 0n) : e.op === '/' ? x / y : x % y;
          break;
        case '<<': v = y >= 64n || y < 0n ? 0n : x << y; break;
        case '>>': v = y >= 64n || y < 0n ? 0n : BigInt.asUintN(64, x) >> y; break;
        case '|': v = x | y; break;
        case '&': v = x & y; break;
        case '^': v = x ^ y; break;
        case '!': v = x | ~y; break;
        case '==': v = bool(x === y); break;
        case '!=':
        case '<>': v = bool(x !== y); break;
        case '<': v = bool(x < y); break;
        case '<=': v = bool(x <= y); break;
        case '>': v = bool(x > y); break;
        case '>=': v = bool(x >= y); break;
        case '&&': v = x !== 0n && y !== 0n ? 1n : 0n; break;
        case '||': v = x !== 0n || y !== 0n ? 1n : 0n; break;
        default:
          throw new ExprError(`unknown operator \`${e.op}\``, e.col, e.end);
      }
      return { sec: -1, off: wrap(v), layout };
    }
  }
}

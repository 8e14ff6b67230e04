/**
 * The checks language: a tiny expression language over 64-bit values, parsed once per spec and
 * evaluated per case. Values are bigints; arithmetic wraps to 64 bits, comparisons are unsigned
 * (use `s64(x)` to compare as signed), comparisons and logic give 1 or 0.
 *
 *   names   in.rax  in.ctx.r12  rax  ctx.r12  ref.rax  sym.after_call  &ctx  &ctx.r12  cpl
 *   numbers 42  0x2a  0b101010  1_000
 *   ops     || && == != < <= > >= | ^ & << >> + - * / %  unary ! ~ -
 *   calls   s64(x) u32(x) u16(x) u8(x) bit(x, n) bits(x, hi, lo) sizeof(name)
 */
export type Node =
  | { kind: 'num'; value: bigint; start: number; end: number }
  | { kind: 'name'; path: string; start: number; end: number }
  | { kind: 'unary'; op: string; arg: Node; start: number; end: number }
  | { kind: 'binary'; op: string; left: Node; right: Node; start: number; end: number }
  | { kind: 'call'; fn: string; args: Node[]; start: number; end: number };

export interface Scope {
  /** The value of a dotted name (`in.rax`, `&ctx.r12`, `sizeof:ctx`), or undefined when it does not exist. */
  get(path: string): bigint | undefined;
}

export class CheckExprError extends Error {
  constructor(message: string, readonly column: number) {
    super(message);
  }
}

/** A name the expression uses that the case cannot supply. */
export class UnknownNameError extends Error {}

export interface Expr {
  source: string;
  root: Node;
  /** Every name the expression reads, e.g. ['in.rax', 'ctx.rax']. */
  names: string[];
  eval(scope: Scope): bigint;
}

const M64 = (1n << 64n) - 1n;
const wrap = (v: bigint) => v & M64;
const truth = (b: boolean) => (b ? 1n : 0n);

interface Token { type: 'num' | 'name' | 'op' | 'end'; text: string; start: number; value?: bigint }

const OPERATORS = ['||', '&&', '==', '!=', '<=', '>=', '<<', '>>', '<', '>', '|', '^', '&', '+', '-', '*', '/', '%', '!', '~', '(', ')', ','];

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === ' ' || c === '\t') { i++; continue; }
    const num = /^(0x[0-9a-f_]+|0b[01_]+|[0-9][0-9_]*)/i.exec(src.slice(i));
    if (num) {
      const after = src[i + num[0].length];
      if (after !== undefined && /[A-Za-z_]/.test(after)) throw new CheckExprError(`\`${num[0]}${after}\` is not a number`, i + 1);
      tokens.push({ type: 'num', text: num[0], start: i, value: BigInt(num[0].replace(/_/g, '')) });
      i += num[0].length;
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*/.exec(src.slice(i));
    if (name) {
      tokens.push({ type: 'name', text: name[0], start: i });
      i += name[0].length;
      continue;
    }
    const op = OPERATORS.find((o) => src.startsWith(o, i));
    if (op) {
      tokens.push({ type: 'op', text: op, start: i });
      i += op.length;
      continue;
    }
    if (c === '=') throw new CheckExprError('`=` is not an operator here; compare with `==`', i + 1);
    throw new CheckExprError(`unexpected character \`${c}\``, i + 1);
  }
  tokens.push({ type: 'end', text: 'the end', start: src.length });
  return tokens;
}

const BINARY_LEVELS: string[][] = [['||'], ['&&'], ['==', '!=', '<', '<=', '>', '>='], ['|'], ['^'], ['&'], ['<<', '>>'], ['+', '-'], ['*', '/', '%']];
const FUNCTIONS: Record<string, number> = { s64: 1, u32: 1, u16: 1, u8: 1, bit: 2, bits: 3, sizeof: 1 };

class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token { return this.tokens[this.pos]; }
  private take(): Token { return this.tokens[this.pos++]; }
  private fail(token: Token, wanted: string): never {
    const shown = token.type === 'end' ? 'the end' : `\`${token.text}\``;
    throw new CheckExprError(`expected ${wanted}, found ${shown}`, token.start + 1);
  }

  parseAll(): Node {
    const node = this.binary(0);
    const rest = this.peek();
    if (rest.type !== 'end') this.fail(rest, 'an operator or the end');
    return node;
  }

  private binary(level: number): Node {
    if (level === BINARY_LEVELS.length) return this.unary();
    let left = this.binary(level + 1);
    for (;;) {
      const t = this.peek();
      if (t.type !== 'op' || !BINARY_LEVELS[level].includes(t.text)) return left;
      this.take();
      const right = this.binary(level + 1);
      if (level === 2 && left.kind === 'binary' && BINARY_LEVELS[2].includes(left.op)) {
        throw new CheckExprError(`comparisons do not chain: use \`&&\` between \`${left.op}\` and \`${t.text}\``, t.start + 1);
      }
      left = { kind: 'binary', op: t.text, left, right, start: left.start, end: right.end };
    }
  }

  private unary(): Node {
    const t = this.peek();
    if (t.type === 'op' && (t.text === '!' || t.text === '~' || t.text === '-')) {
      this.take();
      const arg = this.unary();
      return { kind: 'unary', op: t.text, arg, start: t.start, end: arg.end };
    }
    if (t.type === 'op' && t.text === '&') {
      this.take();
      const n = this.take();
      if (n.type !== 'name') this.fail(n, 'a memory region or struct field name after `&`');
      return { kind: 'name', path: `&${n.text}`, start: t.start, end: n.start + n.text.length };
    }
    return this.primary();
  }

  private primary(): Node {
    const t = this.take();
    if (t.type === 'num') return { kind: 'num', value: t.value!, start: t.start, end: t.start + t.text.length };
    if (t.type === 'name') {
      const next = this.peek();
      if (next.type === 'op' && next.text === '(') {
        const arity = FUNCTIONS[t.text];
        if (arity === undefined) throw new CheckExprError(`unknown function \`${t.text}\`; known: ${Object.keys(FUNCTIONS).join(', ')}`, t.start + 1);
        this.take();
        const args: Node[] = [];
        if (t.text === 'sizeof') {
          const n = this.take();
          if (n.type !== 'name') this.fail(n, 'a memory region or struct type name');
          args.push({ kind: 'name', path: `sizeof:${n.text}`, start: n.start, end: n.start + n.text.length });
        } else {
          args.push(this.binary(0));
          while (this.peek().type === 'op' && this.peek().text === ',') { this.take(); args.push(this.binary(0)); }
        }
        const close = this.take();
        if (close.type !== 'op' || close.text !== ')') this.fail(close, '`)` closing the call');
        if (args.length !== arity) throw new CheckExprError(`\`${t.text}\` takes ${arity} argument${arity > 1 ? 's' : ''}, got ${args.length}`, t.start + 1);
        return { kind: 'call', fn: t.text, args, start: t.start, end: close.start + 1 };
      }
      if (t.text === 'true' || t.text === 'false') return { kind: 'num', value: t.text === 'true' ? 1n : 0n, start: t.start, end: t.start + t.text.length };
      return { kind: 'name', path: t.text, start: t.start, end: t.start + t.text.length };
    }
    if (t.type === 'op' && t.text === '(') {
      const inner = this.binary(0);
      const close = this.take();
      if (close.type !== 'op' || close.text !== ')') this.fail(close, '`)`');
      // The parentheses belong to the node, so that the text shown for it stays balanced.
      return { ...inner, start: t.start, end: close.start + 1 };
    }
    this.fail(t, 'a value (a number, a name like `in.rax`, or `(`)');
  }
}

type Compiled = (scope: Scope) => bigint;

function compileNode(node: Node): Compiled {
  switch (node.kind) {
    case 'num': { const v = node.value; return () => v; }
    case 'name': {
      const path = node.path;
      return (scope) => {
        const v = scope.get(path);
        if (v === undefined) throw new UnknownNameError(`\`${path.replace(/^sizeof:/, 'sizeof ')}\` is not known here`);
        return v;
      };
    }
    case 'unary': {
      const arg = compileNode(node.arg);
      if (node.op === '!') return (s) => truth(arg(s) === 0n);
      if (node.op === '~') return (s) => wrap(~arg(s));
      return (s) => wrap(-arg(s));
    }
    case 'call': {
      const args = node.args.map(compileNode);
      switch (node.fn) {
        case 's64': return (s) => BigInt.asIntN(64, args[0](s));
        case 'u32': return (s) => BigInt.asUintN(32, args[0](s));
        case 'u16': return (s) => BigInt.asUintN(16, args[0](s));
        case 'u8': return (s) => BigInt.asUintN(8, args[0](s));
        case 'bit': return (s) => (args[0](s) >> args[1](s)) & 1n;
        case 'bits': return (s) => { const hi = args[1](s), lo = args[2](s); return (args[0](s) >> lo) & ((1n << (hi - lo + 1n)) - 1n); };
        default: return args[0];
      }
    }
    case 'binary': {
      const l = compileNode(node.left), r = compileNode(node.right);
      switch (node.op) {
        case '||': return (s) => truth(l(s) !== 0n || r(s) !== 0n);
        case '&&': return (s) => truth(l(s) !== 0n && r(s) !== 0n);
        case '==': return (s) => truth(l(s) === r(s));
        case '!=': return (s) => truth(l(s) !== r(s));
        case '<': return (s) => truth(l(s) < r(s));
        case '<=': return (s) => truth(l(s) <= r(s));
        case '>': return (s) => truth(l(s) > r(s));
        case '>=': return (s) => truth(l(s) >= r(s));
        case '|': return (s) => l(s) | r(s);
        case '^': return (s) => l(s) ^ r(s);
        case '&': return (s) => l(s) & r(s);
        case '<<': return (s) => wrap(l(s) << (r(s) & 63n));
        case '>>': return (s) => wrap(l(s)) >> (r(s) & 63n);
        case '+': return (s) => wrap(l(s) + r(s));
        case '-': return (s) => wrap(l(s) - r(s));
        case '*': return (s) => wrap(l(s) * r(s));
        case '/': case '%': {
          const op = node.op;
          return (s) => {
            const d = r(s);
            if (d === 0n) throw new UnknownNameError(`division by zero in \`${op}\``);
            return op === '/' ? l(s) / d : l(s) % d;
          };
        }
      }
    }
  }
  throw new Error(`unreachable node ${JSON.stringify(node)}`);
}

function collectNames(node: Node, into: Set<string>): void {
  if (node.kind === 'name') into.add(node.path);
  else if (node.kind === 'unary') collectNames(node.arg, into);
  else if (node.kind === 'binary') { collectNames(node.left, into); collectNames(node.right, into); }
  else if (node.kind === 'call') node.args.forEach((a) => collectNames(a, into));
}

/** Parses an expression; throws CheckExprError with a 1-based column on bad syntax. */
export function parseExpr(source: string): Expr {
  if (source.trim() === '') throw new CheckExprError('the expression is empty', 1);
  const root = new Parser(tokenize(source)).parseAll();
  const names = new Set<string>();
  collectNames(root, names);
  const run = compileNode(root);
  return { source, root, names: [...names], eval: run };
}

/** The source text of a sub-expression, for messages. */
export function textOf(expr: Expr, node: Node): string {
  return expr.source.slice(node.start, node.end).trim();
}

/** Evaluates one sub-tree, to explain a failed comparison by its two sides. */
export function evalNode(node: Node, scope: Scope): bigint {
  return compileNode(node)(scope);
}

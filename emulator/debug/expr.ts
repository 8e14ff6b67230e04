/**
 * Conditions for breakpoints and watchpoints: a small expression language over registers and
 * memory, e.g. `rax == 0x10 && [rsp] != 0` or `byte [rdi+8] & 1`. Values are unsigned 64-bit;
 * comparisons and logic give 0 or 1; `[x]` reads 8 bytes (`byte`, `word`, `dword`, `qword` choose).
 * Parse errors carry the 0-based column where the problem is.
 */
const MASK = (1n << 64n) - 1n;

export class ExpressionError extends Error {
  constructor(readonly shortMessage: string, readonly column: number, readonly source: string) {
    super(`${shortMessage} at column ${column + 1} of '${source}'`);
    this.name = 'ExpressionError';
  }
}

/** What an expression can read. Memory reads that fail (unmapped, outside RAM) make the whole condition false. */
export interface ExpressionContext {
  register(name: string): bigint;
  memory(address: bigint, size: number): bigint;
}

export type Compiled = (ctx: ExpressionContext) => bigint;

export interface ParsedExpression {
  source: string;
  evaluate: Compiled;
  /** Register names it reads (lower case). */
  registers: string[];
}

const SIZES: Record<string, number> = { byte: 1, word: 2, dword: 4, qword: 8 };

type Token = { kind: 'num'; value: bigint; at: number } | { kind: 'id'; value: string; at: number } | { kind: 'op'; value: string; at: number } | { kind: 'end'; at: number };

const OPS = ['||', '&&', '==', '!=', '<=', '>=', '<<', '>>', '|', '^', '&', '<', '>', '+', '-', '*', '/', '%', '!', '~', '(', ')', '[', ']'];

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const num = /^(0x[0-9a-f_]+|0b[01_]+|[0-9][0-9_]*)/i.exec(src.slice(i));
    if (num) {
      const after = src[i + num[0].length];
      if (after !== undefined && /[a-z0-9_]/i.test(after)) throw new ExpressionError(`malformed number '${num[0]}${after}'`, i, src);
      out.push({ kind: 'num', value: BigInt(num[0].replace(/_/g, '')) & MASK, at: i });
      i += num[0].length;
      continue;
    }
    const id = /^[a-z_][a-z0-9_]*/i.exec(src.slice(i));
    if (id) {
      out.push({ kind: 'id', value: id[0].toLowerCase(), at: i });
      i += id[0].length;
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (!op) throw new ExpressionError(`unexpected character '${c}'`, i, src);
    out.push({ kind: 'op', value: op, at: i });
    i += op.length;
  }
  out.push({ kind: 'end', at: src.length });
  return out;
}

const b = (x: boolean): bigint => (x ? 1n : 0n);
const LEVELS: Record<string, (a: bigint, c: bigint) => bigint>[] = [
  { '||': (x, y) => b(x !== 0n || y !== 0n) },
  { '&&': (x, y) => b(x !== 0n && y !== 0n) },
  { '|': (x, y) => x | y },
  { '^': (x, y) => x ^ y },
  { '&': (x, y) => x & y },
  { '==': (x, y) => b(x === y), '!=': (x, y) => b(x !== y) },
  { '<': (x, y) => b(x < y), '<=': (x, y) => b(x <= y), '>': (x, y) => b(x > y), '>=': (x, y) => b(x >= y) },
  { '<<': (x, y) => (y > 63n ? 0n : (x << y) & MASK), '>>': (x, y) => (y > 63n ? 0n : x >> y) },
  { '+': (x, y) => (x + y) & MASK, '-': (x, y) => (x - y) & MASK },
  { '*': (x, y) => (x * y) & MASK, '/': (x, y) => (y === 0n ? 0n : x / y), '%': (x, y) => (y === 0n ? 0n : x % y) },
];

/**
 * Parses a condition. `isRegister` says which identifiers name registers (the debugger passes
 * the machine's names), so a typo is reported where it is.
 */
export function parseExpression(source: string, isRegister: (name: string) => boolean): ParsedExpression {
  const tokens = tokenize(source);
  let p = 0;
  const registers = new Set<string>();
  const peek = () => tokens[p];
  const isOp = (v: string) => {
    const t = tokens[p];
    return t.kind === 'op' && t.value === v;
  };
  const expect = (v: string, what: string) => {
    if (!isOp(v)) throw new ExpressionError(`expected '${v}' ${what}`, peek().at, source);
    p++;
  };

  const level = (n: number): Compiled => {
    if (n === LEVELS.length) return unary();
    let left = level(n + 1);
    for (;;) {
      const t = peek();
      const fn = t.kind === 'op' ? LEVELS[n][t.value] : undefined;
      if (!fn) return left;
      p++;
      const right = level(n + 1);
      const l = left;
      left = (ctx) => fn(l(ctx), right(ctx));
    }
  };

  const unary = (): Compiled => {
    const t = peek();
    if (t.kind === 'op' && (t.value === '!' || t.value === '~' || t.value === '-')) {
      p++;
      const inner = unary();
      if (t.value === '!') return (ctx) => b(inner(ctx) === 0n);
      if (t.value === '~') return (ctx) => ~inner(ctx) & MASK;
      return (ctx) => -inner(ctx) & MASK;
    }
    return primary();
  };

  const memory = (size: number): Compiled => {
    expect('[', 'to open a memory reference');
    if (isOp(']')) throw new ExpressionError('empty memory reference', peek().at, source);
    const address = level(0);
    expect(']', 'to close the memory reference');
    return (ctx) => ctx.memory(address(ctx), size);
  };

  const primary = (): Compiled => {
    const t = peek();
    if (t.kind === 'num') {
      p++;
      const v = t.value;
      return () => v;
    }
    if (t.kind === 'op' && t.value === '(') {
      p++;
      const inner = level(0);
      expect(')', 'to close the parenthesis');
      return inner;
    }
    if (t.kind === 'op' && t.value === '[') return memory(8);
    if (t.kind === 'id') {
      const size = SIZES[t.value];
      if (size !== undefined) {
        p++;
        if (isOp('[')) return memory(size);
        const next = peek();
        if (next.kind === 'id' && next.value === 'ptr') {
          p++;
          return memory(size);
        }
        throw new ExpressionError(`expected '[' after '${t.value}'`, next.at, source);
      }
      if (!isRegister(t.value)) throw new ExpressionError(`unknown register '${t.value}'`, t.at, source);
      p++;
      registers.add(t.value);
      const name = t.value;
      return (ctx) => ctx.register(name);
    }
    if (t.kind === 'end') throw new ExpressionError('the expression ends too early', t.at, source);
    throw new ExpressionError(`unexpected '${t.value}'`, t.at, source);
  };

  if (tokens.length === 1) throw new ExpressionError('empty expression', 0, source);
  const evaluate = level(0);
  if (peek().kind !== 'end') {
    const t = peek();
    throw new ExpressionError(`unexpected '${t.kind === 'end' ? '' : String(t.value)}' after a complete expression`, t.at, source);
  }
  return { source, evaluate, registers: [...registers] };
}

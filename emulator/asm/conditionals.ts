/** `.if` and its relatives, `.elseif`, `.else`, `.endif`: which statements are assembled. */
import { ExprError } from './expr.ts';
import { firstWordLength } from './directive-args.ts';
import type { AssemblerCore } from './core.ts';
import type { Stmt } from './source.ts';

type Test = (a: AssemblerCore, rest: string, restCol: number, word: string) => boolean;

const expression = (holds: (v: bigint) => boolean): Test => (a, rest, restCol, word) => holds(a.constant(a.exprFrom(rest, restCol), `\`${word}\``));

function isDefined(a: AssemblerCore, name: string): boolean {
  const sym = a.symbols.get(name);
  // `.globl name` alone declares a name without defining it.
  return sym !== undefined && (sym.kind !== 'equ' || sym.known || sym.expr !== null);
}

/** GNU as's `.ifc` operands: `'quoted'` (with '' for a quote) or text up to the comma, trailing blanks dropped. */
function ifcOperand(text: string, i: number): { value: string; end: number } {
  while (text[i] === ' ' || text[i] === '\t') i++;
  if (text[i] === "'") {
    let out = '';
    i++;
    while (i < text.length) {
      if (text[i] === "'") {
        if (text[i + 1] !== "'") return { value: out, end: i + 1 };
        i++;
      }
      out += text[i++];
    }
    return { value: out, end: i };
  }
  let j = i;
  while (j < text.length && text[j] !== ',') j++;
  return { value: text.slice(i, j).trimEnd(), end: j };
}

function ifc(rest: string): boolean {
  const x = ifcOperand(rest, 0);
  let i = x.end;
  while (rest[i] === ' ' || rest[i] === '\t') i++;
  const y = ifcOperand(rest, rest[i] === ',' ? i + 1 : i);
  return x.value === y.value;
}

/** `.ifeqs "a", "b"`: both must be double-quoted strings. */
function ifeqs(a: AssemblerCore, rest: string, restCol: number, word: string): boolean {
  const parts = a.args(rest, restCol);
  const strings = parts.map((p) => (/^"(?:[^"\\]|\\.)*"$/.test(p.text) ? p.text.slice(1, -1) : null));
  if (parts.length !== 2 || strings.includes(null)) throw new ExprError(`\`${word}\` compares two double-quoted strings: \`${word} "a", "b"\``, restCol, restCol + Math.max(rest.length, 1));
  return strings[0] === strings[1];
}

/** Every conditional GNU as knows, by name: true when the block after it is assembled. */
const conditionalTests: Record<string, Test> = {
  '.if': expression((v) => v !== 0n),
  '.ifne': expression((v) => v !== 0n),
  '.ifeq': expression((v) => v === 0n),
  '.ifgt': expression((v) => v > 0n),
  '.ifge': expression((v) => v >= 0n),
  '.iflt': expression((v) => v < 0n),
  '.ifle': expression((v) => v <= 0n),
  '.ifdef': (a, rest) => isDefined(a, rest),
  '.ifndef': (a, rest) => !isDefined(a, rest),
  '.ifnotdef': (a, rest) => !isDefined(a, rest),
  '.ifb': (_a, rest) => rest.length === 0,
  '.ifnb': (_a, rest) => rest.length > 0,
  '.ifc': (_a, rest) => ifc(rest),
  '.ifnc': (_a, rest) => !ifc(rest),
  '.ifeqs': (a, rest, restCol, word) => ifeqs(a, rest, restCol, word),
  '.ifnes': (a, rest, restCol, word) => !ifeqs(a, rest, restCol, word),
};

// A Map, not the object: a label such as `constructor:` must not find Object.prototype's members.
const testsByName = new Map(Object.entries(conditionalTests));

export const conditionalDirectives = [...Object.keys(conditionalTests), '.elseif', '.else', '.endif'];

function evaluate(a: AssemblerCore, st: Stmt, word: string, t: Test): boolean {
  const rest = st.text.slice(firstWordLength(st.text)).trim();
  const restCol = st.col + st.text.length - rest.length;
  try {
    return t(a, rest, restCol, word);
  } catch (e) {
    if (e instanceof ExprError) a.error(e.message, a.at(st, e.col, e.end));
    else throw e;
    return false;
  }
}

/** Handles a conditional directive (returns false for any other statement). */
export function conditional(a: AssemblerCore, st: Stmt, word: string): boolean {
  const test = testsByName.get(word);
  if (!test && word !== '.else' && word !== '.elseif' && word !== '.endif') return false;
  const loc = a.stmtLoc(st);
  const enclosing = a.conds.length === 0 || a.conds[a.conds.length - 1].active;
  if (test) {
    const result = enclosing && evaluate(a, st, word, test);
    a.conds.push({ active: result, taken: result, parentActive: enclosing, sawElse: false, loc });
    return true;
  }
  const top = a.conds[a.conds.length - 1];
  if (!top) {
    a.error(`\`${word}\` without a matching \`.if\``, loc);
    return true;
  }
  if (word === '.endif') {
    a.conds.pop();
    return true;
  }
  if (top.sawElse) {
    a.error(`\`${word}\` after \`.else\``, loc);
    return true;
  }
  if (word === '.else') {
    top.sawElse = true;
    top.active = top.parentActive && !top.taken;
    top.taken = true;
    return true;
  }
  if (top.taken || !top.parentActive) {
    top.active = false;
    return true;
  }
  const r = evaluate(a, st, '.elseif', conditionalTests['.if']);
  top.active = r;
  top.taken = r;
  return true;
}

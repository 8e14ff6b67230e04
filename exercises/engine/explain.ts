/** Explaining a failed check by name: which part failed, which register or field holds what, and where the wrong value came from. */
import type { PreparedExercise } from './exercise.ts';
import { evalNode, textOf, type Expr, type Node, type Scope } from './expr.ts';
import type { Failure } from './failure.ts';
import { NOT_LOADED, UNCHANGED } from './failure.ts';
import { hex } from './prng.ts';
import type { CaseState, Inputs } from './run-case.ts';
import { isRegister, REGISTERS, registerOf, type RegisterName } from './schema.ts';

const COMPARISONS = new Set(['==', '!=', '<', '<=', '>', '>=']);
/** Width functions that keep a register or field a location: `u32(eax)` still names eax. */
const VIEWS = new Set(['u32', 'u16', 'u8', 's64']);

type Part = { label: string; field?: { name: string; offset: number }; region?: string; expr: Expr };

export function explainExpect(part: Part, scope: Scope, state: CaseState, px: PreparedExercise): Failure {
  const failing = failingLeaf(part.expr.root, scope);
  const whole = shown(px, part.label);
  const explained = failing && COMPARISONS.has(failing.kind === 'binary' ? failing.op : '') ? explainComparison(failing as BinaryNode, part, scope, state, px) : undefined;
  if (!explained) return { message: `\`${whole}\` does not hold${valuesOf(failing ?? part.expr.root, part.expr, scope, px)}` };
  if (failing !== part.expr.root) explained.message += whole.length <= 80 ? ` (the part of \`${whole}\` that fails)` : ' (the part of this check that fails)';
  return explained;
}

type BinaryNode = Extract<Node, { kind: 'binary' }>;

/**
 * The sub-expression to blame: in `a && b` the first conjunct that is false; in `a || b` the last
 * disjunct that is false (guards like `in.x == 0 || …` come first); otherwise the node itself.
 */
function failingLeaf(node: Node, scope: Scope): Node | undefined {
  let value: bigint;
  try { value = evalNode(node, scope); } catch { return undefined; }
  if (value !== 0n || node.kind !== 'binary') return node;
  if (node.op === '&&') {
    const left = failingLeaf(node.left, scope);
    try { if (evalNode(node.left, scope) === 0n) return left; } catch { return undefined; }
    return failingLeaf(node.right, scope);
  }
  if (node.op === '||') return failingLeaf(node.right, scope);
  return node;
}

function explainComparison(node: BinaryNode, part: Part, scope: Scope, state: CaseState, px: PreparedExercise): Failure | undefined {
  const expr = part.expr;
  const left = textOf(expr, node.left), right = textOf(expr, node.right);
  let lv: bigint, rv: bigint;
  try { lv = evalNode(node.left, scope); rv = evalNode(node.right, scope); } catch { return undefined; }
  const location = locationOf(node.left);
  const field = location && !isRegister(location) ? fieldOf(px, location) : undefined;
  const label = field ? `${location} (offset ${hex(field.offset)})` : shown(px, left);
  const want = node.right.kind === 'num' ? hex(rv) : `${hex(rv)} (${shown(px, right)})`;
  if (node.op !== '==') {
    const bound = node.right.kind === 'num' ? hex(rv) : `${shown(px, right)} (${hex(rv)})`;
    return { message: `${label} is ${hex(lv)}, but it should be ${node.op} ${bound}`, expected: `${node.op} ${hex(rv)}`, actual: hex(lv) };
  }
  const message = `${label} holds ${hex(lv)}, expected ${want}`;
  if (!location) return { message, expected: hex(rv), actual: hex(lv) };
  const target = registerOf(location) ?? location;
  return { message, expected: hex(rv), actual: hex(lv), origin: { part: part.label, target: shown(px, target), candidates: origins(target, lv, right, node.right, state, px) } };
}

/** Where a wrong value in `target` could have come from; a location the learner never wrote says so instead. */
function origins(target: string, value: bigint, rightText: string, right: Node | undefined, state: CaseState, px: PreparedExercise): string[] {
  const marks: string[] = [];
  if (isRegister(target)) {
    if (state.entryRegs?.[target] === value) marks.push(NOT_LOADED);
  } else if (state.initialFields.get(target) === value) marks.push(UNCHANGED);
  const rightName = right?.kind === 'name' ? right.path.replace(/^in\./, '') : rightText;
  return [...marks, ...matchingInputs(state, value, setByCase(px)).filter((n) => n !== rightName && n !== target).map((n) => shown(px, n))];
}

/** The register or struct field a side of a comparison reads, if it is one (`ctx.rbx`, `rax`, `u32(eax)`). */
function locationOf(node: Node): string | undefined {
  if (node.kind === 'name') return node.path.startsWith('in.') || node.path.startsWith('ref.') || node.path.startsWith('&') || node.path.startsWith('sym.') ? undefined : node.path;
  if (node.kind === 'call' && VIEWS.has(node.fn) && node.args.length === 1) return locationOf(node.args[0]);
  return undefined;
}

function fieldOf(px: PreparedExercise, path: string): { name: string; offset: number } | undefined {
  const dot = path.indexOf('.');
  return dot < 0 ? undefined : px.regions.get(path.slice(0, dot))?.layout?.byName.get(path.slice(dot + 1));
}

/** The final values of the locations an expression reads, for a check that is not a plain comparison. */
function valuesOf(node: Node, expr: Expr, scope: Scope, px: PreparedExercise): string {
  const names = new Set<string>();
  const walk = (n: Node) => {
    if (n.kind === 'name' && locationOf(n)) names.add(n.path);
    else if (n.kind === 'unary') walk(n.arg);
    else if (n.kind === 'binary') { walk(n.left); walk(n.right); }
    else if (n.kind === 'call') n.args.forEach(walk);
  };
  walk(node);
  const values = [...names].flatMap((n) => { const v = scope.get(n); return v === undefined ? [] : [`${shown(px, n)} is ${hex(v)}`]; });
  const part = node === expr.root ? '' : `: \`${shown(px, textOf(expr, node))}\` is false`;
  return `${part}${values.length ? ` (${values.join(', ')})` : ''}`;
}

const NAMES_32: Record<string, string> = { rax: 'eax', rbx: 'ebx', rcx: 'ecx', rdx: 'edx', rsi: 'esi', rdi: 'edi', rbp: 'ebp', rsp: 'esp', rip: 'eip', rflags: 'eflags' };

/** Text as a learner of this mode reads it: in 32-bit exercises registers go by their 32-bit names. */
export function shown(px: PreparedExercise, text: string): string {
  if (px.bits === 64) return text;
  return text.replace(/(?<![\w.])(rax|rbx|rcx|rdx|rsi|rdi|rbp|rsp|rip|rflags)(?![\w])/g, (r) => NAMES_32[r]);
}

export const regName = (px: PreparedExercise, reg: RegisterName): string => (px.bits === 32 ? NAMES_32[reg] ?? reg : reg);

const setByCaseCache = new WeakMap<PreparedExercise, Set<string>>();
/** Registers a case gives a value of its own (random or by expression): only those can explain a wrong value. */
export function setByCase(px: PreparedExercise): Set<string> {
  let set = setByCaseCache.get(px);
  if (!set) {
    set = new Set([...px.inputs.map((i) => i.name).filter(isRegister), ...px.registerInit.map((r) => r.reg)]);
    setByCaseCache.set(px, set);
  }
  return set;
}

/** Which initial values (registers and random inputs, struct fields included) equal `value`. */
export function matchingInputs(state: CaseState, value: bigint, setByCase: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const reg of REGISTERS) if (setByCase.has(reg) && state.initialRegs[reg] === value) out.push(reg);
  for (const [name, v] of state.inputs) if (!isRegister(name) && v === value && !out.includes(name)) out.push(name);
  return out;
}

export function showInputs(inputs: Inputs): Record<string, string> {
  return Object.fromEntries([...inputs].map(([k, v]) => [k, hex(v)]));
}

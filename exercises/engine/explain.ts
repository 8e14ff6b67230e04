/** Explaining a failed comparison by name: which field, its offset, and where the wrong value came from. */
import type { PreparedExercise } from './exercise.ts';
import { evalNode, textOf, type Expr, type Scope } from './expr.ts';
import type { Failure } from './failure.ts';
import { UNCHANGED } from './failure.ts';
import { hex } from './prng.ts';
import type { CaseState, Inputs } from './run-case.ts';
import { isRegister, REGISTERS } from './schema.ts';

const COMPARISONS = new Set(['==', '!=', '<', '<=', '>', '>=']);

export function explainExpect(part: { label: string; field?: { name: string; offset: number }; region?: string; expr: Expr }, scope: Scope, state: CaseState, px: PreparedExercise): Failure {
  const root = part.expr.root;
  if (root.kind !== 'binary' || !COMPARISONS.has(root.op)) return { message: `\`${part.label}\` does not hold` };
  const left = textOf(part.expr, root.left), right = textOf(part.expr, root.right);
  let lv: bigint, rv: bigint;
  try { lv = evalNode(root.left, scope); rv = evalNode(root.right, scope); } catch { return { message: `\`${part.label}\` does not hold` }; }
  const label = part.field ? `${part.region}.${part.field.name} (offset ${hex(part.field.offset)})` : left;
  if (root.op !== '==') return { message: `${label} is ${hex(lv)}, but it should be ${root.op} ${right} (${hex(rv)})`, expected: `${root.op} ${hex(rv)}`, actual: hex(lv) };
  const message = `${label} holds ${hex(lv)}, expected ${hex(rv)} (${right})`;
  const target = part.field?.name ?? (root.left.kind === 'name' ? root.left.path : left);
  const rightName = root.right.kind === 'name' ? root.right.path.replace(/^in\./, '') : undefined;
  const own = part.region ? `${part.region}.${target}` : undefined;
  const candidates = matchingInputs(state, lv, setByCase(px)).filter((n) => n !== rightName && n !== own);
  if (own && state.initialFields.get(own) === lv) candidates.push(UNCHANGED);
  return { message, expected: hex(rv), actual: hex(lv), origin: { part: part.label, target, candidates } };
}

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

/**
 * The grader audit: wrong solutions derived from the reference (mutate.ts) are graded on a few
 * cases. Every mutant that changes what the checks look at, or any struct field, must fail a
 * check; every check must be failed by some mutant or documented mistake; a mutant that puts one
 * register or field wrong must be reported, first, by a message that names it.
 */
import { assembleSubmission } from './assemble.ts';
import { evaluateCase, evaluateStatic, isStatic } from './checks.ts';
import type { PreparedCheck, PreparedExercise } from './exercise.ts';
import { finish } from './failure.ts';
import { mutants, type Mutant } from './mutate.ts';
import type { EnginePorts } from './ports.ts';
import { CaseRunner, checkScope, drawInputs, type CaseState, type Inputs, type LoadedCode } from './run-case.ts';
import { DEFAULT_SEED } from './grade.ts';

export interface AuditOptions {
  /** Cases each mutant is graded on (randomized, from the exercise's seed). */
  cases?: number;
  seed?: bigint;
  /** The exercise's documented wrong solutions (mistakes/*.s), by file name. */
  mistakes?: Map<string, string>;
}

export interface Survivor {
  id: string;
  diff: string;
  /** Struct fields it leaves other than the reference does. */
  changed: string[];
  /** True when every value a check reads is the reference's: what it changes no check reads (a check is missing). */
  unread: boolean;
}
export interface WrongLocation { id: string; expected: string[]; message: string }

export interface ExerciseAudit {
  exercise: string;
  mutants: { tried: number; stillborn: number; killed: number; equivalent: number; listedEquivalent: number; survived: number };
  survivors: Survivor[];
  /** Checks no mutant and no mistake fails. */
  neverFalsified: string[];
  /** Killed mutants whose first message does not name the register or field they put wrong. */
  wrongLocation: WrongLocation[];
  /** `equivalent_mutants` entries the grader kills (or that no longer exist): the list must stay true. */
  staleEquivalents: string[];
  /** The `equivalent_mutants` entries that held: mutants the checks let pass, as listed. */
  listedEquivalents: string[];
  seconds: number;
}

interface Graded { failed: Map<PreparedCheck, { caseIndex: number; message: string }>; error: boolean; keys: string[]; changed: string[] }

const NAME_VALUE = /^(in\.|sym\.|&|sizeof:|ref\.)/;

/** Audits one exercise; needs its reference solution. */
export function auditExercise(px0: PreparedExercise, ports: EnginePorts, options: AuditOptions = {}): ExerciseAudit {
  const started = Date.now();
  const solution = px0.exercise.solution;
  if (solution === undefined) throw new Error(`${px0.exercise.origin}: the audit needs the reference solution (solution.s)`);
  const seed = options.seed ?? px0.exercise.spec.seed ?? DEFAULT_SEED;
  const count = options.cases ?? 4;
  const reference = assembleSubmission(px0, solution, ports);
  if (!reference.ok) throw new Error(`${px0.exercise.origin}/solution.s does not assemble: ${reference.diagnostics.map((d) => `line ${d.line}: ${d.message}`).join('; ')}`);

  // Mutants that loop are stopped long before the exercise's own budget: 20 times the reference's longest case is plenty.
  const probe = new CaseRunner(px0, ports);
  const caseInputs: Inputs[] = Array.from({ length: Math.max(count, 12) }, (_, i) => drawInputs(px0, seed, i));
  const longest = Math.max(...caseInputs.slice(0, count).map((inputs) => probe.run(reference.code, inputs).outcome.instructions));
  const spec = { ...px0.exercise.spec, budget: Math.min(px0.exercise.spec.budget, Math.max(20 * longest, 5000)) };
  const px: PreparedExercise = { ...px0, exercise: { ...px0.exercise, spec } };
  const runner = new CaseRunner(px, ports);
  const checks = px.checks;
  const refStates = caseInputs.map((inputs) => runner.run(reference.code, inputs));

  const grade = (source: string, cases: number): Graded | undefined => {
    const stage = assembleSubmission(px, source, ports);
    if (!stage.ok) return undefined;
    const code = stage.code;
    const failed: Graded['failed'] = new Map();
    const keys: string[] = [];
    const changed = new Set<string>();
    const codeBytes = code.asm.sections.filter((s) => s.name === '.text').reduce((n, s) => n + s.bytes.length, 0);
    for (const c of checks.filter(isStatic)) {
      const f = evaluateStatic(c, codeBytes, code, source, px, ports);
      keys.push(f ? 'fail' : 'pass');
      if (f) failed.set(c, { caseIndex: -1, message: finish(f).message });
    }
    let error = false;
    for (let i = 0; i < cases; i++) {
      const state = runner.run(code, caseInputs[i]);
      if (state.outcome.reason === 'limit' || state.outcome.reason === 'error') { error = true; break; }
      const scope = checkScope(px, state, code.symbols, refStates[i]);
      for (const f of changedFields(px, state, refStates[i])) changed.add(f);
      for (const c of checks) {
        if (isStatic(c)) continue;
        keys.push(gradedKey(c, state, scope, px, code));
        if (failed.has(c)) continue;
        const f = evaluateCase(c, state, scope, px, code);
        if (f) failed.set(c, { caseIndex: i, message: finish(f).message });
      }
    }
    return { failed, error, keys, changed: [...changed] };
  };

  const base = grade(solution, count)!;
  // Against a reference that fails, every mutant would look killed.
  const failing = [...base.failed][0];
  if (failing || base.error) throw new Error(`${px0.exercise.origin}/solution.s does not pass the audit's cases (${failing ? `"${failing[0].spec.name}": ${failing[1].message}` : 'its run does not end'}): run switchyard validate first`);
  const unread = (g: Graded) => g.keys.join('|') === base.keys.join('|');
  const listed = new Map(spec.equivalent_mutants.map((e) => [e.mutant, e.why]));
  const seenIds = new Set<string>();
  const report: ExerciseAudit = { exercise: px.exercise.id, mutants: { tried: 0, stillborn: 0, killed: 0, equivalent: 0, listedEquivalent: 0, survived: 0 }, survivors: [], neverFalsified: [], wrongLocation: [], staleEquivalents: [], listedEquivalents: [], seconds: 0 };
  const falsified = new Set<PreparedCheck>();
  for (const m of mutants(solution, px)) {
    report.mutants.tried++;
    seenIds.add(m.id);
    const g = grade(m.source, count);
    if (!g) { report.mutants.stillborn++; continue; }
    for (const c of g.failed.keys()) falsified.add(c);
    if (g.failed.size || g.error) {
      report.mutants.killed++;
      if (listed.has(m.id)) report.staleEquivalents.push(`${m.id} (listed as equivalent, but the grader fails it)`);
      const wrong = locationProblem(m, g, checks, refStates, runner, px, ports);
      if (wrong) report.wrongLocation.push(wrong);
    } else if (unread(g) && !g.changed.length) report.mutants.equivalent++;
    else if (listed.has(m.id)) { report.mutants.listedEquivalent++; report.listedEquivalents.push(m.id); }
    else { report.mutants.survived++; report.survivors.push({ id: m.id, diff: m.diff, changed: g.changed, unread: unread(g) }); }
  }
  for (const id of listed.keys()) if (!seenIds.has(id)) report.staleEquivalents.push(`${id} (listed as equivalent, but no such mutant of solution.s exists)`);
  for (const [, source] of options.mistakes ?? []) {
    const g = grade(source, caseInputs.length);
    if (g) for (const c of g.failed.keys()) falsified.add(c);
  }
  report.neverFalsified = checks.filter((c) => !falsified.has(c)).map((c) => c.spec.name);
  report.seconds = (Date.now() - started) / 1000;
  return report;
}

/** The struct fields a case leaves other than the reference's run of it left them. */
function changedFields(px: PreparedExercise, state: CaseState, ref: CaseState): string[] {
  const out: string[] = [];
  for (const r of px.regions.values()) {
    const mine = state.regionBytes.get(r.name), theirs = ref.regionBytes.get(r.name);
    if (!r.layout || !mine || !theirs) continue;
    for (const f of r.layout.fields) if (mine.subarray(f.offset, f.offset + f.size).some((b, k) => b !== theirs[f.offset + k])) out.push(`${r.name}.${f.name}`);
  }
  return out;
}

/** What a check looks at in a case: the values an expectation reads, the registers preserved, or just pass/fail. */
function gradedKey(c: PreparedCheck, state: CaseState, scope: ReturnType<typeof checkScope>, px: PreparedExercise, code: LoadedCode): string {
  if (c.kind === 'expect') return c.parts.map((p) => p.expr.names.filter((n) => !NAME_VALUE.test(n)).map((n) => { try { return String(scope.get(n)); } catch { return '?'; } }).join(',')).join(';');
  if (c.kind === 'preserved') return c.registers.map((r) => String(state.finalRegs[r])).join(',');
  return evaluateCase(c, state, scope, px, code) ? 'fail' : 'pass';
}

/**
 * A mutant that puts named registers or fields wrong must be reported first by a message naming
 * one of them, when its run ends as the reference's does (a fault is rightly reported first).
 */
function locationProblem(m: Mutant, g: Graded, checks: PreparedCheck[], refStates: CaseState[], runner: CaseRunner, px: PreparedExercise, ports: EnginePorts): WrongLocation | undefined {
  if (!m.wrong || !(m.operator === 'drop' || m.operator === 'swap-sources') || g.error) return undefined;
  const first = checks.find((c) => g.failed.has(c));
  if (!first || (first.kind !== 'expect' && first.kind !== 'preserved')) return undefined;
  const { caseIndex, message } = g.failed.get(first)!;
  const stage = assembleSubmission(px, m.source, ports);
  if (!stage.ok || caseIndex < 0) return undefined;
  const ref = refStates[caseIndex].outcome;
  const state = runner.run(stage.code, refStates[caseIndex].inputs);
  if (state.outcome.reason !== ref.reason || state.outcome.fault?.vector !== ref.fault?.vector) return undefined;
  // A scratch register the mutant leaves wrong shows only where its value went, which the message rightly names;
  // only a location that ends wrong and that a check reads must be the one reported.
  const scope = checkScope(px, state, stage.code.symbols, refStates[caseIndex]);
  const differs = (w: string) => { try { return scope.get(w) !== scope.get(`ref.${w}`); } catch { return false; } };
  const graded = gradedLocations(checks);
  const expected = m.wrong.filter((w) => graded.has(w) && differs(w));
  if (!expected.length) return undefined;
  const names = expected.flatMap((w) => spellings(w, px));
  const named = names.some((n) => new RegExp(`(^|[^\\w.])${n.replace(/\./g, '\\.')}(?![\\w])`).test(message));
  return named ? undefined : { id: m.id, expected, message };
}

/** The registers and `region.field`s the checks read at the end of a case (64-bit register names). */
function gradedLocations(checks: PreparedCheck[]): Set<string> {
  const out = new Set<string>();
  for (const c of checks) {
    if (c.kind === 'preserved') for (const r of c.registers) out.add(r);
    if (c.kind !== 'expect') continue;
    for (const p of c.parts) for (const n of p.expr.names) if (!NAME_VALUE.test(n)) out.add(REG64_OF[n] ?? n);
  }
  return out;
}

const LOW: Record<string, string> = { rax: 'eax', rbx: 'ebx', rcx: 'ecx', rdx: 'edx', rsi: 'esi', rdi: 'edi', rbp: 'ebp', rsp: 'esp' };
const REG64_OF: Record<string, string> = Object.fromEntries(Object.entries(LOW).map(([r64, r32]) => [r32, r64]));
const spellings = (w: string, px: PreparedExercise) => (w.includes('.') ? [w] : px.bits === 32 && LOW[w] ? [LOW[w], w] : [w]);

/** The audit of a whole pack's exercises, with the figures a summary prints. */
export function auditSummary(audits: ExerciseAudit[]): { mutants: number; killed: number; survived: number; equivalent: number; checksNeverFalsified: number; wrongLocationMessages: number; staleEquivalents: number; seconds: number } {
  const sum = (f: (a: ExerciseAudit) => number) => audits.reduce((n, a) => n + f(a), 0);
  return {
    mutants: sum((a) => a.mutants.tried - a.mutants.stillborn),
    killed: sum((a) => a.mutants.killed),
    survived: sum((a) => a.mutants.survived),
    equivalent: sum((a) => a.mutants.equivalent + a.mutants.listedEquivalent),
    checksNeverFalsified: sum((a) => a.neverFalsified.length),
    wrongLocationMessages: sum((a) => a.wrongLocation.length),
    staleEquivalents: sum((a) => a.staleEquivalents.length),
    seconds: sum((a) => a.seconds),
  };
}

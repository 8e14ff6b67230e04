/** The staged pipeline for one submission: assemble → load → run every case → check → result. */
import { assembleSubmission } from './assemble.ts';
import { evaluateCase, evaluateStatic, isStatic } from './checks.ts';
import type { PreparedCheck, PreparedExercise } from './exercise.ts';
import { showInputs } from './explain.ts';
import { finish, narrowOrigin, type Failure } from './failure.ts';
import { minimize } from './minimize.ts';
import { hex } from './prng.ts';
import type { EnginePorts } from './ports.ts';
import type { CheckResult, FailedCase, GradeResult, Status } from './results.ts';
import { CaseRunner, checkScope, drawInputs, type CaseState, type LoadedCode } from './run-case.ts';
import { describeStop, locator } from './stop.ts';

export interface GradeOptions {
  seed?: bigint;
  /** Instructors' view: hidden checks and hidden cases count. */
  includeHidden?: boolean;
  /** Reuse a runner (one machine) across submissions of the same exercise. */
  runner?: CaseRunner;
  /** Upper bound on extra runs the minimizer may spend. */
  minimizeRuns?: number;
}

export const DEFAULT_SEED = 0x5eedn;

/** Grades one source file against a prepared exercise. Never throws for anything the learner wrote. */
export function gradeSubmission(px: PreparedExercise, source: string, ports: EnginePorts, options: GradeOptions = {}): GradeResult {
  try {
    return gradeStages(px, source, ports, options);
  } catch (error) {
    // Anything thrown here is a bug of the engine, the CPU or the assembler, never the learner's doing: report it as an error result.
    const includeHidden = options.includeHidden ?? false;
    const checks = px.checks.filter((c) => includeHidden || !c.spec.hidden);
    const message = `the engine could not grade this file: ${error instanceof Error ? error.message : String(error)}`;
    return {
      exercise: px.exercise.id, status: 'error', passed: false, score: 0, maxScore: checks.reduce((s, c) => s + c.spec.weight, 0),
      cases: { total: 0, failed: 0, seed: hex(options.seed ?? px.exercise.spec.seed ?? DEFAULT_SEED) }, diagnostics: [], error: message, errorStage: 'engine',
      checks: checks.map((c) => notGraded(c, `not graded: ${message}`)),
    };
  }
}

function gradeStages(px: PreparedExercise, source: string, ports: EnginePorts, options: GradeOptions): GradeResult {
  const spec = px.exercise.spec;
  const seed = options.seed ?? spec.seed ?? DEFAULT_SEED;
  const includeHidden = options.includeHidden ?? false;
  const checks = px.checks.filter((c) => includeHidden || !c.spec.hidden);
  const total = spec.cases + (includeHidden ? spec.hidden_cases : 0);
  const base = { exercise: px.exercise.id, cases: { total, failed: 0, seed: hex(seed) }, maxScore: checks.reduce((s, c) => s + c.spec.weight, 0) };

  const assembled = assembleSubmission(px, source, ports);
  if (!assembled.ok) {
    // Not one case can pass a file that does not assemble: every case counts as failed.
    return { ...base, cases: { ...base.cases, failed: total }, status: 'error', passed: false, score: 0, diagnostics: assembled.diagnostics, error: 'the file did not assemble', errorStage: 'assemble',
      checks: checks.map((c) => notGraded(c, 'not graded: the file did not assemble')) };
  }
  const code = assembled.code;
  const codeBytes = code.asm.sections.filter((s) => s.name === '.text').reduce((n, s) => n + s.bytes.length, 0);
  const runner = options.runner ?? new CaseRunner(px, ports);
  const reference = px.usesReference ? referenceCode(px, ports) : undefined;

  const failures = new Map<PreparedCheck, { count: number; first?: { failure: Failure; caseIndex: number; state: CaseState } }>();
  for (const c of checks) failures.set(c, { count: 0 });
  const staticChecks = checks.filter(isStatic);
  for (const c of staticChecks) {
    const f = evaluateStatic(c, codeBytes, code, source, px, ports);
    if (f) failures.set(c, { count: 0, first: { failure: f, caseIndex: -1, state: undefined as unknown as CaseState } });
  }
  const caseChecks = checks.filter((c) => !isStatic(c));
  const observe = caseChecks.some((c) => c.kind === 'writes_only');

  let failedCases = 0;
  let status: Status | undefined;
  let error: string | undefined;
  for (let i = 0; i < total; i++) {
    const inputs = drawInputs(px, seed, i);
    const state = runner.run(code, inputs, observe);
    if (state.outcome.reason === 'limit') {
      status = 'error';
      error = `case #${i} ran past its budget of ${spec.budget} instructions: is there a loop that never ends, or a jump back into the harness?`;
    } else if (state.outcome.reason === 'error') {
      status = 'error';
      error = `the emulator could not run case #${i}: ${state.outcome.message ?? 'unknown error'}`;
    }
    const refState = reference ? runner.run(reference, inputs, false) : undefined;
    const scope = checkScope(px, state, code.symbols, refState);
    let caseFailed = false;
    for (const c of caseChecks) {
      const f = status === 'error' ? { message: `not graded: ${error}` } : evaluateCase(c, state, scope, px, code);
      if (!f) continue;
      caseFailed = true;
      const entry = failures.get(c)!;
      entry.count++;
      if (!entry.first) entry.first = { failure: f, caseIndex: i, state };
      else narrowOrigin(entry.first.failure, f, entry.count);
    }
    if (caseFailed) failedCases++;
    if (status === 'error') { failedCases += total - i - 1; break; }
  }

  const firstFailing = caseChecks.find((c) => failures.get(c)!.first);
  let minimized: Record<string, string> | undefined;
  if (firstFailing && status !== 'error') {
    const first = failures.get(firstFailing)!.first!;
    minimized = minimize(px, runner, code, reference, firstFailing, first.state.inputs, options.minimizeRuns ?? 200);
  }

  const results: CheckResult[] = checks.map((c) => {
    const entry = failures.get(c)!;
    const result: CheckResult = { name: c.spec.name, kind: c.kind, passed: !entry.first, weight: c.spec.weight, hidden: c.spec.hidden, failedCases: entry.count, message: 'passed' };
    if (entry.first) {
      Object.assign(result, finish(entry.first.failure));
      if (c.spec.hint) result.hint = c.spec.hint;
      if (entry.first.caseIndex >= 0) {
        const failure: FailedCase = { index: entry.first.caseIndex, inputs: showInputs(entry.first.state.inputs), stop: describeStop(entry.first.state.outcome, locator(px, code)) };
        if (c === firstFailing && minimized) failure.minimized = minimized;
        result.failure = failure;
      }
    }
    return result;
  });
  const score = results.reduce((s, r) => s + (r.passed ? r.weight : 0), 0);
  const finalStatus: Status = status ?? (results.every((r) => r.passed) ? 'pass' : 'fail');
  return { ...base, cases: { ...base.cases, failed: failedCases }, status: finalStatus, passed: finalStatus === 'pass', score, checks: results, diagnostics: assembled.diagnostics, error, ...(error ? { errorStage: 'run' as const } : {}), codeBytes };
}

function notGraded(c: PreparedCheck, message: string): CheckResult {
  return { name: c.spec.name, kind: c.kind, passed: false, weight: c.spec.weight, hidden: c.spec.hidden, failedCases: 0, message };
}

const referenceCache = new WeakMap<PreparedExercise, LoadedCode>();
function referenceCode(px: PreparedExercise, ports: EnginePorts): LoadedCode {
  let code = referenceCache.get(px);
  if (!code) {
    if (px.exercise.solution === undefined) throw new Error(`a check compares with the reference solution (ref.…), which this copy of ${px.exercise.id} does not include`);
    const stage = assembleSubmission(px, px.exercise.solution, ports);
    if (!stage.ok) throw new Error(`${px.exercise.origin}/solution.s does not assemble: ${stage.diagnostics.map((d) => `line ${d.line}: ${d.message}`).join('; ')}`);
    code = stage.code;
    referenceCache.set(px, code);
  }
  return code;
}
export { assembleSubmission, type AssembleStage } from './assemble.ts';

/** What grading returns: pass, fail (a wrong answer) and error (did not assemble, ran past its budget, could not run) kept apart. */
import type { AsmDiagnostic } from './ports.ts';

export type Status = 'pass' | 'fail' | 'error';

export interface FailedCase {
  /** 0-based index of the case (hidden cases follow the visible ones). */
  index: number;
  inputs: Record<string, string>;
  /** The same failure on simpler inputs, when the minimizer found some. */
  minimized?: Record<string, string>;
  /** What the run ended with, e.g. "hlt after 41 instructions" or "#GP(0) at 0x40012: ...". */
  stop: string;
}

export interface CheckResult {
  name: string;
  kind: string;
  passed: boolean;
  weight: number;
  hidden: boolean;
  /** How many cases this check failed on (0 for checks on the code itself). */
  failedCases: number;
  message: string;
  expected?: string;
  actual?: string;
  hint?: string;
  failure?: FailedCase;
}

export interface GradeResult {
  exercise: string;
  status: Status;
  passed: boolean;
  score: number;
  maxScore: number;
  cases: { total: number; failed: number; seed: string };
  checks: CheckResult[];
  diagnostics: AsmDiagnostic[];
  /** Why the status is error. */
  error?: string;
  /** The pipeline stage that produced the error: the file did not assemble, a case could not run to its end, or the engine itself failed. */
  errorStage?: 'assemble' | 'run' | 'engine';
  /** Bytes of the learner's .text. */
  codeBytes?: number;
}

/** The `switchyard check --json` shape of the CLI contract (fields beyond the contract's are additions: `status`, `error`, each check's `hint`). */
export function toCheckJson(result: GradeResult): object {
  return {
    exercise: result.exercise,
    status: result.status,
    passed: result.passed,
    score: result.score,
    maxScore: result.maxScore,
    cases: result.cases,
    ...(result.error ? { error: result.error } : {}),
    checks: result.checks.map((c) => ({ name: c.name, passed: c.passed, message: c.message, expected: c.expected ?? '', actual: c.actual ?? '', ...(c.hint ? { hint: c.hint } : {}) })),
    diagnostics: result.diagnostics,
  };
}

/** A learner-facing text summary: the first failing check in full, the rest one line each, then the hints of those others. */
export function formatResult(result: GradeResult): string {
  const lines: string[] = [];
  const verdict = result.status === 'pass' ? 'PASSED' : result.status === 'fail' ? 'FAILED' : 'ERROR';
  lines.push(`${result.exercise}: ${verdict}  score ${result.score}/${result.maxScore}  (${result.cases.total} cases, ${result.cases.failed} failed, seed ${result.cases.seed})`);
  if (result.error) lines.push(`  ${result.error}`);
  for (const d of result.diagnostics) lines.push(`  line ${d.line}:${d.column}: ${d.severity}: ${d.message}`);
  let detailed = false;
  const otherHints: CheckResult[] = [];
  for (const c of result.checks) {
    lines.push(`  ${c.passed ? 'ok  ' : 'FAIL'} ${c.name}${c.weight !== 1 ? ` (weight ${c.weight})` : ''}`);
    if (c.passed) continue;
    if (detailed) { if (c.hint) otherHints.push(c); continue; }
    detailed = true;
    lines.push(`       ${c.message}`);
    if (c.hint) lines.push(`       hint: ${c.hint}`);
    if (c.failure) {
      lines.push(`       case #${c.failure.index}, run ended: ${c.failure.stop}`);
      lines.push(`       inputs: ${formatInputs(c.failure.inputs)}`);
      if (c.failure.minimized) lines.push(`       simplest failing inputs found: ${formatInputs(c.failure.minimized)}`);
    }
  }
  if (otherHints.length) {
    lines.push('  hints for the other failing checks:');
    for (const c of otherHints) lines.push(`    ${c.name}: ${c.hint}`);
  }
  return `${lines.join('\n')}\n`;
}

const formatInputs = (inputs: Record<string, string>) => Object.entries(inputs).map(([k, v]) => `${k}=${v}`).join(' ') || '(none)';

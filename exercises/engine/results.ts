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

/** The `switchyard check --json` shape of the CLI contract. */
export function toCheckJson(result: GradeResult): object {
  return {
    exercise: result.exercise,
    passed: result.passed,
    score: result.score,
    maxScore: result.maxScore,
    cases: result.cases,
    checks: result.checks.map((c) => ({ name: c.name, passed: c.passed, message: c.message, expected: c.expected ?? '', actual: c.actual ?? '' })),
    diagnostics: result.diagnostics,
  };
}

/** A learner-facing text summary: the first failing check in full, the rest one line each. */
export function formatResult(result: GradeResult): string {
  const lines: string[] = [];
  const verdict = result.status === 'pass' ? 'PASSED' : result.status === 'fail' ? 'FAILED' : 'ERROR';
  lines.push(`${result.exercise}: ${verdict}  score ${result.score}/${result.maxScore}  (${result.cases.total} cases, ${result.cases.failed} failed, seed ${result.cases.seed})`);
  if (result.error) lines.push(`  ${result.error}`);
  for (const d of result.diagnostics) lines.push(`  line ${d.line}:${d.column}: ${d.severity}: ${d.message}`);
  let detailed = false;
  for (const c of result.checks) {
    lines.push(`  ${c.passed ? 'ok  ' : 'FAIL'} ${c.name}${c.weight !== 1 ? ` (weight ${c.weight})` : ''}`);
    if (c.passed || detailed) continue;
    detailed = true;
    lines.push(`       ${c.message}`);
    if (c.hint) lines.push(`       hint: ${c.hint}`);
    if (c.failure) {
      lines.push(`       case #${c.failure.index}, run ended: ${c.failure.stop}`);
      lines.push(`       inputs: ${formatInputs(c.failure.inputs)}`);
      if (c.failure.minimized) lines.push(`       simplest failing inputs found: ${formatInputs(c.failure.minimized)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

const formatInputs = (inputs: Record<string, string>) => Object.entries(inputs).map(([k, v]) => `${k}=${v}`).join(' ') || '(none)';

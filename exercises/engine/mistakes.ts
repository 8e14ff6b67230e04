/**
 * The graded wrong solutions an exercise lists under `mistakes:`: each must fail the check it
 * names, with a message containing the phrase it gives. `switchyard validate` proves it; the
 * instructor's table in mistakes/README.md is written from the same list.
 */
import type { PreparedExercise } from './exercise.ts';
import { gradeSubmission } from './grade.ts';
import type { EnginePorts } from './ports.ts';
import type { ExerciseSpec } from './schema.ts';

/** A mistake needs one failing case, and they are common errors: a few cases show each. */
export const MISTAKE_CASES = 12;

export interface MistakeProblem { file: string; problem: string }

/** Every listed mistake that does not fail its check as the spec says, and why. */
export function mistakeProblems(px: PreparedExercise, ports: EnginePorts, cases = MISTAKE_CASES): MistakeProblem[] {
  const sources = px.exercise.mistakes ?? new Map<string, string>();
  const spec = px.exercise.spec;
  const few: PreparedExercise = { ...px, exercise: { ...px.exercise, spec: { ...spec, cases: Math.min(spec.cases, cases), hidden_cases: 0 } } };
  const problems: MistakeProblem[] = [];
  for (const m of spec.mistakes) {
    const source = sources.get(m.file);
    if (source === undefined) continue; // the loader reports a listed file that is missing
    const result = gradeSubmission(few, source, ports, { includeHidden: true, minimizeRuns: 0 });
    const errors = result.diagnostics.filter((d) => d.severity === 'error');
    const check = result.checks.find((c) => c.name === m.fails);
    let problem: string | undefined;
    if (errors.length) problem = `does not assemble (line ${errors[0].line}: ${errors[0].message}); a mistake must be a wrong answer, not a broken file`;
    else if (check === undefined) problem = `the check "${m.fails}" was not graded`;
    else if (check.passed) {
      const failing = result.checks.filter((c) => !c.passed).map((c) => `"${c.name}"`);
      problem = `passes "${m.fails}" on ${few.exercise.spec.cases} cases${failing.length ? `; it fails ${failing.join(', ')} instead` : ', and every other check too'}`;
    } else if (!check.message.includes(m.says)) problem = `fails "${m.fails}" but its message does not say "${m.says}": ${check.message}`;
    if (problem) problems.push({ file: m.file, problem });
  }
  return problems;
}

const cell = (text: string) => text.replace(/\|/g, '\\|');

/** mistakes/README.md: the instructor's table of what each wrong solution gets wrong and how it is caught. */
export function mistakesReadme(spec: ExerciseSpec): string {
  const rows = spec.mistakes.map((m) => `| ${cell(m.what)} | \`${m.file}\` | ${cell(m.fails)} | \`${cell(m.says)}\` |`);
  return ['# Likely mistakes', '', '| what goes wrong | file | failing check | message contains |', '|---|---|---|---|', ...rows, ''].join('\n');
}

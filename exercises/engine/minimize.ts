/** The minimizer: the same failure on simpler inputs. */
import { evaluateCase } from './checks.ts';
import type { PreparedCheck, PreparedExercise } from './exercise.ts';
import { showInputs } from './explain.ts';
import { checkScope, type CaseRunner, type Inputs, type LoadedCode } from './run-case.ts';

/** Shrinks a failing case's inputs toward simpler values (0, small, fewer bits) while the same check still fails. */
export function minimize(px: PreparedExercise, runner: CaseRunner, code: LoadedCode, reference: LoadedCode | undefined, check: PreparedCheck, start: Inputs, budget: number): Record<string, string> | undefined {
  let current = new Map(start);
  let runs = 0;
  const stillFails = (candidate: Inputs): boolean => {
    runs++;
    const state = runner.run(code, candidate, check.kind === 'writes_only');
    if (state.outcome.reason === 'limit' || state.outcome.reason === 'error') return false;
    const refState = reference ? runner.run(reference, candidate, false) : undefined;
    return evaluateCase(check, state, checkScope(px, state, code.symbols, refState), px, code) !== undefined;
  };
  let improved = true;
  while (improved && runs < budget) {
    improved = false;
    for (const { name, generator } of px.inputs) {
      for (const candidate of generator.shrink(current.get(name)!)) {
        if (runs >= budget) break;
        const next = new Map(current).set(name, candidate);
        if (stillFails(next)) { current = next; improved = true; break; }
      }
    }
  }
  const changed = [...current].some(([k, v]) => start.get(k) !== v);
  return changed ? showInputs(current) : undefined;
}

// The grader audit of the bundled pack (`switchyard validate --audit`), at the cases a mutant CI uses:
// mutants of the reference solutions the checks kill and let through, checks no mutant or mistake
// fails, and killed mutants first reported somewhere other than the register or field they put wrong.
// One audit is deterministic (seeded cases), so one run is enough; it is shared by the four figures.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { auditPack, type PackAudit } from '../../../backend/cli/commands/validate-audit.ts';
import { readPack } from '../../../backend/grading/pack-dir.ts';
import type { Figure } from '../figure.ts';

const PACK = resolve(dirname(fileURLToPath(import.meta.url)), '../../../exercises/pack');
const CASES = 2;

let audit: PackAudit | undefined;
function audited(): PackAudit {
  audit ??= auditPack(readPack(PACK), CASES);
  if (audit.errors.length) throw new Error(`the audit could not run on ${audit.errors.map((e) => e.exercise).join(', ')}`);
  return audit;
}

const figure = (name: string, unit: string, value: (a: PackAudit) => number): Figure => ({
  name,
  unit,
  runs: 1,
  measure: () => Promise.resolve(value(audited())),
});

export const figures: Figure[] = [
  figure('audit.mutants_killed', 'mutants', (a) => a.summary.killed),
  figure('audit.mutants_survived', 'mutants', (a) => a.summary.survived),
  figure('audit.checks_never_falsified', 'checks', (a) => a.summary.checksNeverFalsified),
  figure('audit.wrong_location_messages', 'messages', (a) => a.summary.wrongLocationMessages),
];

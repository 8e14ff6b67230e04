/** `switchyard validate --audit`: grades mutants of every reference solution, to show what the checks let through. */
import { auditExercise, auditSummary, type ExerciseAudit } from '../../../exercises/engine/audit.ts';
import { prepareExercise, type Pack } from '../../../exercises/engine/index.ts';
import { enginePorts } from '../../grading/exercises.ts';
import { EXIT_FAILED, EXIT_OK, type CliIO } from '../io.ts';

export interface AuditedExercise extends ExerciseAudit {
  /** The `equivalent_mutants` entries the audit found and let pass, with the author's reason. */
  equivalents: { mutant: string; why: string }[];
}

export interface PackAudit {
  pack: string;
  cases: number;
  ok: boolean;
  summary: ReturnType<typeof auditSummary>;
  exercises: AuditedExercise[];
  /** Exercises that could not be audited (no reference solution, a spec the engine rejects). */
  errors: { exercise: string; message: string }[];
}

export function auditPack(pack: Pack, cases: number): PackAudit {
  const ports = enginePorts();
  const exercises: AuditedExercise[] = [];
  const errors: PackAudit['errors'] = [];
  for (const exercise of pack.exercises) {
    try {
      const px = prepareExercise(exercise, ports.assembler);
      const audit = auditExercise(px, ports, { cases, mistakes: exercise.mistakes ?? new Map() });
      const held = new Set(audit.listedEquivalents);
      exercises.push({ ...audit, equivalents: exercise.spec.equivalent_mutants.filter((e) => held.has(e.mutant)) });
    } catch (error) {
      errors.push({ exercise: exercise.id, message: (error as Error).message });
    }
  }
  const summary = auditSummary(exercises);
  const ok = !errors.length && !summary.survived && !summary.checksNeverFalsified && !summary.wrongLocationMessages && !summary.staleEquivalents;
  return { pack: pack.spec.id, cases, ok, summary, exercises, errors };
}

const indent = (text: string, by: string) => text.replace(/^/gm, by);

function exerciseLines(a: AuditedExercise): string {
  const m = a.mutants;
  const lines = [`${m.survived || a.neverFalsified.length || a.wrongLocation.length || a.staleEquivalents.length ? 'FAIL' : 'ok  '}  ${a.exercise}: ${m.tried} mutants tried, ${m.killed} killed, ${m.survived} survived, ${m.equivalent + m.listedEquivalent} equivalent (${m.listedEquivalent} listed), ${m.stillborn} do not assemble`];
  for (const e of a.equivalents) lines.push(`      equivalent (listed): ${e.mutant}\n        why: ${e.why}`);
  for (const s of a.survivors) {
    const changed = s.changed.length ? `\n        ${s.unread ? 'no check reads what it changes' : 'it changes'}: ${s.changed.join(', ')}` : '';
    lines.push(`      survived: ${s.id}\n${indent(s.diff, '        ')}${changed}`);
  }
  for (const c of a.neverFalsified) lines.push(`      never falsified: check "${c}" fails for no mutant and no mistake`);
  for (const w of a.wrongLocation) lines.push(`      wrong location: ${w.id}\n        puts ${w.expected.join(', ')} wrong, but the first message says: ${w.message}`);
  for (const s of a.staleEquivalents) lines.push(`      stale equivalent: ${s}`);
  return `${lines.join('\n')}\n`;
}

export function printAudit(audit: PackAudit, json: boolean, io: CliIO): number {
  if (json) io.stdout(`${JSON.stringify(audit, null, 2)}\n`);
  else {
    for (const a of audit.exercises) io.stdout(exerciseLines(a));
    const s = audit.summary;
    const unaudited = audit.errors.length ? `; ${audit.errors.length} exercise${audit.errors.length > 1 ? 's' : ''} not audited` : '';
    io.stdout(`audit of pack ${audit.pack} (${audit.cases} case${audit.cases > 1 ? 's' : ''} a mutant): ${s.mutants} mutants, ${s.killed} killed, ${s.survived} survived, ${s.equivalent} equivalent; ${s.checksNeverFalsified} checks never falsified, ${s.wrongLocationMessages} messages naming the wrong location, ${s.staleEquivalents} stale equivalents${unaudited}\n`);
  }
  for (const e of audit.errors) io.stderr(`${e.message.includes(e.exercise) ? '' : `${e.exercise}: `}${e.message}\n`);
  return audit.ok ? EXIT_OK : EXIT_FAILED;
}

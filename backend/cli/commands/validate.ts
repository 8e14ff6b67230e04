import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gradeSubmission, learnerCopy, mistakeProblems, PackError, prepareExercise, type PreparedExercise } from '../../../exercises/engine/index.ts';
import { intOption, parseCommandArgs } from '../../grading/args.ts';
import { enginePorts } from '../../grading/exercises.ts';
import { bundledPackDir, readPack, readPackFiles } from '../../grading/pack-dir.ts';
import { InputError } from '../../store/validation.ts';
import { auditPack, printAudit } from './validate-audit.ts';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, UsageError, type Command } from '../io.ts';

/** Cases each mutant is graded on: most mutants fail on the first, and a few more catch those that fail only sometimes. */
const AUDIT_CASES = 4;

const command: Command = {
  summary: 'Validate an exercise pack: schema, every reference solution passes every case, every starter fails, every listed mistake fails its check. With --audit, audit its checks instead: every mutant of a reference solution that changes what the exercise grades must fail one.',
  usage: 'switchyard validate [PACK_DIR] [--learner-copy OUT_DIR] | switchyard validate --audit [PACK_DIR] [--cases N] [--json]',
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, { 'learner-copy': { type: 'string' }, audit: { type: 'boolean' }, cases: { type: 'string' }, json: { type: 'boolean' } }, { min: 0, max: 1, names: '' });
    const dir = positionals[0] ?? bundledPackDir();
    const out = values['learner-copy'];
    if (!values.audit && (values.cases !== undefined || values.json)) throw new UsageError(`--${values.json ? 'json' : 'cases'} goes with --audit`);
    if (values.audit && out !== undefined) throw new UsageError('--audit and --learner-copy do not go together: audit first, then write the copy');
    const cases = intOption(values.cases, 'cases', 1, 1000) ?? AUDIT_CASES;
    if (out !== undefined && existsSync(out) && readdirSync(out).length > 0) throw new UsageError(`--learner-copy: ${out} is not empty; give a new or empty folder`);
    let pack;
    try {
      pack = readPack(dir);
    } catch (error) {
      if (error instanceof InputError) { io.stderr(`switchyard validate: ${error.message}\n`); return EXIT_USAGE; }
      if (error instanceof PackError) { io.stderr(`${error.message}\n\ninvalid pack: ${error.problems.length} problem${error.problems.length > 1 ? 's' : ''}\n`); return EXIT_FAILED; }
      throw error;
    }
    if (values.audit) return printAudit(auditPack(pack, cases), values.json === true, io);
    const ports = enginePorts();
    let problems = 0;
    for (const exercise of pack.exercises) {
      let px: PreparedExercise;
      try {
        px = prepareExercise(exercise, ports.assembler);
      } catch (error) {
        io.stderr(`${(error as Error).message}\n`);
        problems++;
        continue;
      }
      if (exercise.solution === undefined) {
        io.stderr(`${exercise.origin}/solution.s: missing: validating a pack needs its reference solutions (a learner's copy has none)\n`);
        problems++;
        continue;
      }
      const solution = gradeSubmission(px, exercise.solution, ports, { includeHidden: true });
      const starter = gradeSubmission(px, exercise.starter, ports, { includeHidden: true, minimizeRuns: 0 });
      const issues: string[] = [];
      if (!solution.passed) {
        const failed = solution.checks.find((c) => !c.passed);
        const why = solution.diagnostics.filter((d) => d.severity === 'error').map((d) => `line ${d.line}: ${d.message}`).join('; ') || solution.error || (failed ? `${failed.name}: ${failed.message}` : '');
        issues.push(`solution.s does not pass (${solution.cases.failed} of ${solution.cases.total} cases fail): ${why}`);
      }
      if (starter.passed) issues.push('starter.s passes every check; a starter must leave the work to the learner');
      if (starter.status === 'error' && starter.diagnostics.some((d) => d.severity === 'error')) issues.push(`starter.s does not assemble: ${starter.diagnostics.map((d) => `line ${d.line}: ${d.message}`).join('; ')}`);
      for (const m of mistakeProblems(px, ports)) issues.push(`mistakes/${m.file}: ${m.problem}`);
      if (issues.length) {
        problems += issues.length;
        for (const issue of issues) io.stderr(`${exercise.origin}: ${issue}\n`);
      } else {
        io.stdout(`ok  ${exercise.id}: solution passes ${solution.cases.total} cases (${solution.checks.length} checks), starter fails ${starter.checks.filter((c) => !c.passed).length} check(s)${exercise.spec.mistakes.length ? `, ${exercise.spec.mistakes.length} mistakes each fail their check` : ''}\n`);
      }
    }
    io.stdout(problems ? `invalid pack: ${problems} problem${problems > 1 ? 's' : ''}\n` : `pack ${pack.spec.id} is valid: ${pack.exercises.length} exercises\n`);
    if (out !== undefined && !problems) {
      // The learner's copy: no reference solutions, no hidden checks or hidden cases.
      const files = learnerCopy(readPackFiles(dir));
      for (const [path, text] of files) {
        mkdirSync(dirname(join(out, path)), { recursive: true });
        writeFileSync(join(out, path), text);
      }
      io.stdout(`wrote the learner's copy (${files.size} files) to ${out}\n`);
    }
    return problems ? EXIT_FAILED : EXIT_OK;
  },
};
export default command;

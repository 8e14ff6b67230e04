import { gradeSubmission, PackError, prepareExercise, type PreparedExercise } from '../../../exercises/engine/index.ts';
import { parseCommandArgs } from '../../grading/args.ts';
import { enginePorts } from '../../grading/exercises.ts';
import { bundledPackDir, InputError, readPack } from '../../grading/pack-dir.ts';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, type Command } from '../io.ts';

const command: Command = {
  summary: 'Validate an exercise pack: schema, every reference solution passes every case, every starter fails.',
  usage: 'switchyard validate [PACK_DIR]',
  async run(args, io) {
    const { positionals } = parseCommandArgs(args, {}, { min: 0, max: 1, names: '' });
    const dir = positionals[0] ?? bundledPackDir();
    let pack;
    try {
      pack = readPack(dir);
    } catch (error) {
      if (error instanceof InputError) { io.stderr(`switchyard validate: ${error.message}\n`); return EXIT_USAGE; }
      if (error instanceof PackError) { io.stderr(`${error.message}\n\ninvalid pack: ${error.problems.length} problem${error.problems.length > 1 ? 's' : ''}\n`); return EXIT_FAILED; }
      throw error;
    }
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
      if (issues.length) {
        problems += issues.length;
        for (const issue of issues) io.stderr(`${exercise.origin}: ${issue}\n`);
      } else {
        io.stdout(`ok  ${exercise.id}: solution passes ${solution.cases.total} cases (${solution.checks.length} checks), starter fails ${starter.checks.filter((c) => !c.passed).length} check(s)\n`);
      }
    }
    io.stdout(problems ? `invalid pack: ${problems} problem${problems > 1 ? 's' : ''}\n` : `pack ${pack.spec.id} is valid: ${pack.exercises.length} exercises\n`);
    return problems ? EXIT_FAILED : EXIT_OK;
  },
};
export default command;

import { formatResult, parseSeed, toCheckJson } from '../../../exercises/engine/index.ts';
import { parseCommandArgs } from '../../grading/args.ts';
import { reportingInputErrors } from '../../grading/cli-errors.ts';
import { findExercise, grade } from '../../grading/exercises.ts';
import { bundledPackDir, readPack } from '../../grading/pack-dir.ts';
import { readSourceFile } from '../../grading/source-file.ts';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, UsageError, type Command } from '../io.ts';

const command: Command = {
  summary: 'Grade one learner file against one exercise, all of its cases.',
  usage: 'switchyard check EXERCISE FILE [--seed N] [--json] [--pack DIR] [--hidden]',
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, {
      seed: { type: 'string' }, json: { type: 'boolean' }, pack: { type: 'string' }, hidden: { type: 'boolean' },
    }, { min: 2, max: 2, names: 'EXERCISE and FILE' });
    const [exerciseId, file] = positionals;
    const seed = values.seed === undefined ? undefined : parseSeed(values.seed);
    if (values.seed !== undefined && seed === undefined) throw new UsageError(`--seed expects a number (decimal or 0x-hex), got '${values.seed}'`);
    return reportingInputErrors('check', io, () => {
      const pack = readPack(values.pack ?? bundledPackDir());
      const exercise = findExercise(pack, exerciseId);
      if (!exercise) {
        io.stderr(`switchyard check: no exercise '${exerciseId}'; known: ${pack.exercises.map((e) => e.id).join(', ')}\n`);
        return EXIT_USAGE;
      }
      const source = readSourceFile(file);
      if (!source.ok) {
        io.stderr(`switchyard check: ${source.error}\n`);
        return EXIT_USAGE;
      }
      const result = grade(exercise, source.text, { seed, includeHidden: values.hidden });
      io.stdout(values.json ? `${JSON.stringify(toCheckJson(result), null, 2)}\n` : formatResult(result));
      return result.passed ? EXIT_OK : EXIT_FAILED;
    });
  },
};
export default command;

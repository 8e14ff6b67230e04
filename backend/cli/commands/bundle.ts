import { writeFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { ENGINE_VERSION } from '../../../exercises/engine/index.ts';
import { parseCommandArgs } from '../../grading/args.ts';
import { reportingInputErrors } from '../../grading/cli-errors.ts';
import { bundledPackDir, readPack } from '../../grading/pack-dir.ts';
import { readSourceFile } from '../../grading/source-file.ts';
import { parseSubmissionBundle, serializeSubmissionBundle, SUBMISSION_FORMAT, type SubmissionBundle } from '../../store/index.ts';
import { EXIT_OK, EXIT_USAGE, UsageError, type Command } from '../io.ts';

const SOURCE_EXTENSION = /\.(s|S|asm)$/;

const command: Command = {
  summary: 'Make a submission bundle (switchyard-submission/1) from .s files named after their exercises, ready for switchyard grade and the autograders.',
  usage: 'switchyard bundle FILE… --out BUNDLE.json [--name NAME] [--student-id ID] [--pack DIR] [--json]',
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, {
      out: { type: 'string' }, name: { type: 'string' }, 'student-id': { type: 'string' }, pack: { type: 'string' }, json: { type: 'boolean' },
    }, { min: 1, max: 1000, names: 'FILE… (one <exercise-id>.s per exercise)' });
    if (!values.out) throw new UsageError('--out is required');
    return reportingInputErrors('bundle', io, () => {
      const pack = readPack(resolve(values.pack ?? bundledPackDir()));
      const known = new Set(pack.exercises.map((e) => e.id));
      const exercises: SubmissionBundle['exercises'] = [];
      const now = new Date().toISOString();
      for (const path of positionals) {
        if (!SOURCE_EXTENSION.test(path)) { io.stderr(`switchyard bundle: ${path}: expected an <exercise-id>.s file\n`); return EXIT_USAGE; }
        const id = basename(path).replace(SOURCE_EXTENSION, '');
        if (!known.has(id)) { io.stderr(`switchyard bundle: ${path}: no exercise '${id}' in the pack; name each file after its exercise (see switchyard list)\n`); return EXIT_USAGE; }
        if (exercises.some((e) => e.id === id)) { io.stderr(`switchyard bundle: ${path}: a second file for exercise '${id}'\n`); return EXIT_USAGE; }
        const read = readSourceFile(path);
        if (!read.ok) { io.stderr(`switchyard bundle: ${read.error}\n`); return EXIT_USAGE; }
        exercises.push({ id, source: read.text, origin: 'draft', versionHash: null, savedAt: now, selfCheck: null });
      }
      const bundle: SubmissionBundle = {
        format: SUBMISSION_FORMAT,
        student: { name: values.name?.trim() || process.env.USER || 'Student', id: values['student-id'] ?? null },
        createdAt: now,
        engineVersion: ENGINE_VERSION,
        exercises,
      };
      const text = serializeSubmissionBundle(bundle);
      parseSubmissionBundle(text, values.out);
      writeFileSync(values.out!, text);
      if (values.json) io.stdout(`${JSON.stringify({ out: values.out, student: bundle.student, exercises: exercises.map((e) => e.id) })}\n`);
      else io.stdout(`wrote ${values.out}: ${exercises.length} exercise${exercises.length === 1 ? '' : 's'} (${exercises.map((e) => e.id).join(', ')})\n`);
      return EXIT_OK;
    });
  },
};
export default command;

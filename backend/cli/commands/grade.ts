import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseSeed } from '../../../exercises/engine/index.ts';
import { parseCommandArgs, intOption } from '../../grading/args.ts';
import { gradeBatch } from '../../grading/batch.ts';
import { reportingInputErrors } from '../../grading/cli-errors.ts';
import { readPack } from '../../grading/pack-dir.ts';
import { FORMATS, render, SINGLE_SUBMISSION_FORMATS, type Format } from '../../grading/reporters.ts';
import { discoverSubmissions } from '../../grading/submissions.ts';
import { EXIT_OK, EXIT_USAGE, UsageError, type Command } from '../io.ts';

const command: Command = {
  summary: 'Grade a class: every submission against the pack\'s exercises (hidden checks included), in parallel.',
  usage: 'switchyard grade --pack DIR --submissions DIR (--format json|csv|junit|gradescope|github --out PATH|- | --json [--out PATH]) [--exercises a,b] [--seed N] [--jobs N] [--no-hidden] [--hidden-visibility hidden|after_published]',
  async run(args, io) {
    const { values } = parseCommandArgs(args, {
      pack: { type: 'string' }, submissions: { type: 'string' }, format: { type: 'string' }, out: { type: 'string' },
      exercises: { type: 'string' }, seed: { type: 'string' }, jobs: { type: 'string' }, 'no-hidden': { type: 'boolean' },
      'hidden-visibility': { type: 'string' }, json: { type: 'boolean' },
    }, { min: 0, max: 0, names: '' });
    if (values.json) {
      if (values.format !== undefined && values.format !== 'json') throw new UsageError(`--json is --format json; it cannot be combined with --format ${values.format}`);
      values.format = 'json';
      values.out ??= '-';
    }
    for (const required of ['pack', 'submissions', 'format', 'out'] as const) if (!values[required]) throw new UsageError(`--${required} is required`);
    const format = values.format as Format;
    if (!FORMATS.includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, got '${values.format}'`);
    const visibility = values['hidden-visibility'] ?? 'after_published';
    if (visibility !== 'hidden' && visibility !== 'after_published') throw new UsageError(`--hidden-visibility must be hidden or after_published, got '${visibility}'`);
    const seed = values.seed === undefined ? undefined : parseSeed(values.seed);
    if (values.seed !== undefined && seed === undefined) throw new UsageError(`--seed expects a number (decimal or 0x-hex), got '${values.seed}'`);
    const jobs = intOption(values.jobs, 'jobs', 1, 256);

    return reportingInputErrors('grade', io, async () => {
      const packDir = resolve(values.pack!);
      const pack = readPack(packDir);
      let exercises = pack.exercises;
      if (values.exercises) {
        const wanted = values.exercises.split(',').map((s) => s.trim()).filter(Boolean);
        const unknown = wanted.filter((id) => !pack.exercises.some((e) => e.id === id));
        if (unknown.length) { io.stderr(`switchyard grade: --exercises: no exercise ${unknown.join(', ')} in the pack (known: ${pack.exercises.map((e) => e.id).join(', ')})\n`); return EXIT_USAGE; }
        exercises = pack.exercises.filter((e) => wanted.includes(e.id));
      }
      const submissions = discoverSubmissions(values.submissions!, exercises.map((e) => e.id));
      if (submissions.length === 0) { io.stderr(`switchyard grade: ${values.submissions}: no submissions found\n`); return EXIT_USAGE; }
      if (SINGLE_SUBMISSION_FORMATS.includes(format) && submissions.length !== 1) {
        io.stderr(`switchyard grade: --format ${format} describes one submission, but ${values.submissions} holds ${submissions.length}; point --submissions at one student's folder or bundle\n`);
        return EXIT_USAGE;
      }
      const progress = io.stderrIsTTY ? (done: number, total: number) => {
        const width = 30, filled = Math.round((done / total) * width);
        io.stderr(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}${done === total ? '\n' : ''}`);
      } : undefined;
      const report = await gradeBatch({ packDir, pack, exercises, submissions, seed, includeHidden: !values['no-hidden'], jobs, onProgress: progress });
      const rendered = render(format, report, { hiddenVisibility: visibility });
      if (values.out === '-') io.stdout(rendered);
      else writeFileSync(values.out!, rendered);
      const errors = report.students.filter((s) => s.error || s.exercises.some((e) => e.result.status === 'error')).length;
      io.stderr(`graded ${report.students.length} submission${report.students.length > 1 ? 's' : ''} × ${exercises.length} exercise${exercises.length > 1 ? 's' : ''} in ${report.seconds.toFixed(1)} s${errors ? `; ${errors} with errors` : ''}; wrote ${values.out === '-' ? 'standard output' : values.out}\n`);
      return EXIT_OK;
    });
  },
};
export default command;

import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseCommandArgs } from '../../grading/args.ts';
import { reportingInputErrors } from '../../grading/cli-errors.ts';
import { readPack } from '../../grading/pack-dir.ts';
import { PackImportError } from '../../store/pack-file.ts';
import { writeGithubTemplate } from '../autograder/github.ts';
import { gradescopeArchive } from '../autograder/gradescope.ts';
import { GRADESCOPE_VISIBILITIES, runGradescope, type GradescopeVisibility } from '../autograder/gradescope-run.ts';
import { EXIT_OK, EXIT_USAGE, UsageError, type CliIO, type Command } from '../io.ts';

function requireOptions<K extends string>(values: Partial<Record<K, string | boolean>>, names: readonly K[]): void {
  for (const name of names) if (!values[name]) throw new UsageError(`--${name} is required`);
}

function visibilityOption(value: string | undefined): GradescopeVisibility {
  const visibility = (value ?? 'after_published') as GradescopeVisibility;
  if (!GRADESCOPE_VISIBILITIES.includes(visibility)) throw new UsageError(`--hidden-visibility must be one of ${GRADESCOPE_VISIBILITIES.join(', ')}, got '${value}'`);
  return visibility;
}

const packErrors = async (name: string, io: CliIO, body: () => Promise<number> | number) => reportingInputErrors(name, io, async () => {
  try {
    return await body();
  } catch (error) {
    if (error instanceof PackImportError) {
      io.stderr(`switchyard ${name}: ${error.message}\n`);
      return EXIT_USAGE;
    }
    throw error;
  }
});

async function gradescope(args: string[], io: CliIO): Promise<number> {
  const { values } = parseCommandArgs(args, { pack: { type: 'string' }, out: { type: 'string' }, 'hidden-visibility': { type: 'string' }, json: { type: 'boolean' } }, { min: 0, max: 0, names: '' });
  requireOptions(values, ['pack', 'out']);
  const hiddenVisibility = visibilityOption(values['hidden-visibility']);
  return packErrors('autograder gradescope', io, () => {
    const packDir = resolve(values.pack!);
    const pack = readPack(packDir);
    const { zip, files } = gradescopeArchive({ packDir, hiddenVisibility });
    writeFileSync(values.out!, zip);
    const summary = { out: values.out, bytes: zip.length, files, exercises: pack.exercises.map((e) => e.id), hiddenVisibility };
    if (values.json) io.stdout(`${JSON.stringify(summary)}\n`);
    else io.stdout(`wrote ${values.out} (${(zip.length / 1024).toFixed(0)} KiB, ${pack.exercises.length} exercises, hidden checks ${hiddenVisibility}); upload it as the assignment's autograder\n`);
    return EXIT_OK;
  });
}

async function github(args: string[], io: CliIO): Promise<number> {
  const { values } = parseCommandArgs(args, { pack: { type: 'string' }, out: { type: 'string' }, json: { type: 'boolean' } }, { min: 0, max: 0, names: '' });
  requireOptions(values, ['pack', 'out']);
  const out = values.out!;
  if (existsSync(out) && readdirSync(out).some((n) => n === '.github' || n === '.switchyard')) {
    throw new UsageError(`${out} already holds .github or .switchyard; give a new folder or the template repository's checkout without them`);
  }
  return packErrors('autograder github', io, () => {
    const packDir = resolve(values.pack!);
    const pack = readPack(packDir);
    const { files, starters } = writeGithubTemplate(packDir, pack, out);
    const summary = { out, files, workflow: '.github/workflows/classroom.yml', runners: pack.exercises.map((e) => e.id), starters };
    if (values.json) io.stdout(`${JSON.stringify(summary)}\n`);
    else io.stdout(`wrote a GitHub Classroom template to ${out}: .github/workflows/classroom.yml with ${pack.exercises.length} runners, ${starters.length} starter files; push it as the assignment's template repository\n`);
    return EXIT_OK;
  });
}

async function runGradescopeCommand(args: string[], io: CliIO): Promise<number> {
  const { values } = parseCommandArgs(args, {
    config: { type: 'string' }, pack: { type: 'string' }, submission: { type: 'string' }, results: { type: 'string' }, jobs: { type: 'string' },
  }, { min: 0, max: 0, names: '' });
  requireOptions(values, ['config', 'pack', 'submission', 'results']);
  const config = JSON.parse(readFileSync(values.config!, 'utf8')) as { hiddenVisibility?: string };
  return reportingInputErrors('autograder run-gradescope', io, async () => {
    const { score, maxScore } = await runGradescope({
      packDir: resolve(values.pack!), submissionDir: values.submission!, resultsPath: values.results!,
      hiddenVisibility: visibilityOption(config.hiddenVisibility), jobs: values.jobs ? Number(values.jobs) : undefined,
    });
    io.stderr(`graded: ${score} / ${maxScore}; wrote ${values.results}\n`);
    return EXIT_OK;
  });
}

const verbs: Record<string, (args: string[], io: CliIO) => Promise<number>> = { gradescope, github, 'run-gradescope': runGradescopeCommand };

const command: Command = {
  summary: 'Make a ready autograder for a class from a pack: a Gradescope autograder.zip, or a GitHub Classroom template with its workflow.',
  usage: `switchyard autograder gradescope --pack DIR --out autograder.zip [--hidden-visibility hidden|after_due_date|after_published|visible] [--json]
       switchyard autograder github --pack DIR --out DIR [--json]

gradescope: setup.sh, run_autograder, the pack and this exact Switchyard; students upload their
<exercise>.s files or the lab's submission bundle. Hidden checks count and are shown as
--hidden-visibility says (default after_published).
github: .github/workflows/classroom.yml (one runner per exercise, then GitHub Classroom's grading
reporter), Switchyard and the learner's copy of the pack under .switchyard/, and a starter
<exercise>.s per exercise. The repository is the learner's, so it holds no solutions and no hidden checks.`,
  async run(args, io) {
    const [verb, ...rest] = args;
    if (verb === undefined) throw new UsageError('missing gradescope or github');
    const run = verbs[verb];
    if (!run) {
      io.stderr(`switchyard autograder: unknown target '${verb}': expected gradescope or github\n`);
      return EXIT_USAGE;
    }
    return run(rest, io);
  },
};
export default command;

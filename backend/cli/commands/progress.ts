import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { exportProgress, importIntoLearner, MAX_PROGRESS_FILE_BYTES, previewLearnerImport, type LearnerImportPreview } from '../../store/index.ts';
import { parseCommandArgs } from '../../grading/args.ts';
import { EXIT_OK, EXIT_USAGE, UsageError, type CliIO, type Command } from '../io.ts';
import { withLab } from '../learner-store.ts';

function describe(p: LearnerImportPreview, applied: boolean): string {
  const verb = applied ? '' : 'would ';
  const lines = [
    `${verb}add ${p.attemptsAdded} attempt${p.attemptsAdded === 1 ? '' : 's'} (${p.attemptsAlreadyPresent} already here)`,
    `${verb}write ${p.draftsWritten} draft${p.draftsWritten === 1 ? '' : 's'} (${p.draftsKeptNewer} kept: the one here is newer)`,
    p.exercisesChanged.length > 0 ? `exercises changed: ${p.exercisesChanged.join(', ')}` : 'nothing changes',
  ];
  return `${lines.join('\n')}\n`;
}

function readInput(path: string): Buffer {
  let size;
  try {
    const info = statSync(path);
    if (!info.isFile()) throw new UsageError(`${path}: not a file`);
    size = info.size;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`${path}: no such file`);
  }
  if (size > MAX_PROGRESS_FILE_BYTES) throw new UsageError(`${path}: ${size} bytes is larger than the ${MAX_PROGRESS_FILE_BYTES}-byte limit for a progress file`);
  return readFileSync(path);
}

async function exportCommand(args: string[], io: CliIO): Promise<number> {
  const { values } = parseCommandArgs(args, { out: { type: 'string' }, json: { type: 'boolean' } }, { min: 0, max: 0, names: '' });
  return withLab(io, 'progress export', (lab) => {
    const file = exportProgress(lab.store, [lab.profile.id]);
    const text = `${JSON.stringify(file, null, 2)}\n`;
    const attempts = file.profiles.reduce((n, p) => n + p.attempts.length, 0);
    const drafts = file.profiles.reduce((n, p) => n + p.drafts.length, 0);
    if (!values.out) {
      io.stdout(text);
      return EXIT_OK;
    }
    writeFileSync(values.out, text);
    if (values.json) io.stdout(`${JSON.stringify({ out: values.out, attempts, drafts, exportedAt: file.exportedAt })}\n`);
    else io.stderr(`wrote ${attempts} attempts and ${drafts} drafts to ${values.out}\n`);
    return EXIT_OK;
  });
}

async function importCommand(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, { 'dry-run': { type: 'boolean' }, json: { type: 'boolean' } }, { min: 1, max: 1, names: 'FILE' });
  const [path] = positionals;
  const bytes = readInput(path);
  return withLab(io, 'progress import', (lab) => {
    const dry = values['dry-run'] === true;
    const summary = dry ? previewLearnerImport(lab.store, lab.profile.id, bytes, path) : importIntoLearner(lab.store, lab.profile.id, bytes, path);
    if (values.json) io.stdout(`${JSON.stringify({ applied: !dry, ...summary })}\n`);
    else io.stdout(describe(summary, !dry));
    return EXIT_OK;
  });
}

const command: Command = {
  summary: 'Move a learner\'s progress between machines: export it to a file, import (merge) a file. An import never loses an attempt or a newer draft.',
  usage: `switchyard progress export [--out FILE] [--json]
       switchyard progress import FILE [--dry-run] [--json]

The progress is the lab's (SWITCHYARD_DATA_DIR selects another data directory). Without --out,
export writes the file to stdout. --dry-run shows what an import would change and changes nothing.`,
  async run(args, io) {
    const [verb, ...rest] = args;
    if (verb === 'export') return exportCommand(rest, io);
    if (verb === 'import') return importCommand(rest, io);
    if (verb === undefined) throw new UsageError('missing export or import');
    io.stderr(`switchyard progress: unknown action '${verb}': expected export or import\n`);
    return EXIT_USAGE;
  },
};
export default command;

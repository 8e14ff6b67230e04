import { statSync, writeFileSync } from 'node:fs';
import { packViews } from '../../api/handlers/packs.ts';
import { BUNDLED_PACK_ID } from '../../api/contract.ts';
import { checkPackFiles, packValidator } from '../../api/pack-check.ts';
import { parseCommandArgs } from '../../grading/args.ts';
import {
  createPackFile, importPack, parsePackFile, PackImportError, readPackFile, readPackFolder, removeInstalledPack,
} from '../../store/index.ts';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, UsageError, type CliIO, type Command } from '../io.ts';
import { withLab } from '../learner-store.ts';

/** A pack file's bytes, or a folder's files made into one. */
function readPackInput(path: string): Uint8Array {
  let folder = false;
  try {
    folder = statSync(path).isDirectory();
  } catch {
    throw new PackImportError(`${path}: no such file or folder`);
  }
  return folder ? Buffer.from(createPackFile(readPackFolder(path)), 'utf8') : readPackFile(path);
}

/** Problems with the pack's content are the thing checked failing (exit 1); an unreadable file is bad input (exit 2). */
const contentProblem = (error: Error) => (/problems?:\n/.test(error.message) ? EXIT_FAILED : EXIT_USAGE);

async function install(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, { json: { type: 'boolean' }, select: { type: 'boolean' } }, { min: 1, max: 1, names: 'PACK_FILE_OR_DIR' });
  const [path] = positionals;
  return withLab(io, 'pack install', (lab) => {
    const bytes = readPackInput(path);
    if (parsePackFile(bytes, path).id === BUNDLED_PACK_ID) throw new PackImportError(`${path}: pack.yaml: the id "${BUNDLED_PACK_ID}" is reserved for the pack that ships with Switchyard`);
    const result = importPack(lab.store, bytes, packValidator, path);
    if (values.select) lab.selectPack(result.packId);
    const exercises = result.exercises.map((e) => ({ id: e.id, changed: e.previousVersionHash !== null && e.previousVersionHash !== e.versionHash, new: e.previousVersionHash === null }));
    if (values.json) io.stdout(`${JSON.stringify({ id: result.packId, title: result.title, hash: result.hash, alreadyStored: result.alreadyStored, exercises })}\n`);
    else io.stdout(`installed ${result.packId} (${result.title}): ${exercises.length} exercise${exercises.length === 1 ? '' : 's'}${values.select ? '; the lab now shows it' : ''}\n`);
    return EXIT_OK;
  }, contentProblem);
}

async function list(args: string[], io: CliIO): Promise<number> {
  const { values } = parseCommandArgs(args, { json: { type: 'boolean' } }, { min: 0, max: 0, names: '' });
  return withLab(io, 'pack list', (lab) => {
    const packs = packViews(lab);
    if (values.json) io.stdout(`${JSON.stringify(packs, null, 2)}\n`);
    else {
      const width = Math.max(...packs.map((p) => p.id.length));
      for (const p of packs) io.stdout(`${p.active ? '*' : ' '} ${p.id.padEnd(width)}  ${String(p.exercises).padStart(3)} exercises  ${p.source === 'bundled' ? 'bundled' : `installed ${p.installedAt}`}  ${p.title}\n`);
    }
    return EXIT_OK;
  });
}

async function remove(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, { json: { type: 'boolean' } }, { min: 1, max: 1, names: 'PACK_ID' });
  const [id] = positionals;
  if (id === BUNDLED_PACK_ID) throw new UsageError('the bundled pack ships with Switchyard and cannot be removed');
  return withLab(io, 'pack remove', (lab) => {
    if (!removeInstalledPack(lab.store, id)) {
      io.stderr(`switchyard pack remove: no installed pack '${id}' (see switchyard pack list)\n`);
      return EXIT_USAGE;
    }
    if (values.json) io.stdout(`${JSON.stringify({ removed: id })}\n`);
    else io.stdout(`removed ${id}; the work done on its exercises is kept\n`);
    return EXIT_OK;
  });
}

async function build(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, { out: { type: 'string' }, json: { type: 'boolean' } }, { min: 1, max: 1, names: 'PACK_DIR' });
  if (!values.out) throw new UsageError('--out is required');
  const [dir] = positionals;
  try {
    const files = readPackFolder(dir);
    const text = createPackFile(files);
    const parsed = parsePackFile(Buffer.from(text, 'utf8'), dir);
    const { problems, pack } = checkPackFiles(parsed.files);
    if (!pack) {
      if (values.json) io.stdout(`${JSON.stringify({ ok: false, problems })}\n`);
      io.stderr(`switchyard pack build: ${dir}: ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n${problems.map((p) => `  ${p}\n`).join('')}`);
      return EXIT_FAILED;
    }
    writeFileSync(values.out, text);
    const summary = { ok: true, out: values.out, id: parsed.id, title: parsed.title, hash: parsed.hash, files: parsed.files.size, exercises: pack.exercises.map((e) => e.id) };
    if (values.json) io.stdout(`${JSON.stringify(summary)}\n`);
    else io.stdout(`wrote ${values.out}: ${parsed.id} (${parsed.title}), ${summary.exercises.length} exercises, ${summary.files} files\n`);
    return EXIT_OK;
  } catch (error) {
    if (error instanceof PackImportError) {
      io.stderr(`switchyard pack build: ${error.message}\n`);
      return EXIT_USAGE;
    }
    throw error;
  }
}

const verbs: Record<string, (args: string[], io: CliIO) => Promise<number>> = { install, list, remove, build };

const command: Command = {
  summary: 'Exercise packs beside the bundled one: install one from a pack file or folder (validated first), list, remove, or build a folder into a pack file.',
  usage: `switchyard pack install PACK_FILE_OR_DIR [--select] [--json]
       switchyard pack list [--json]
       switchyard pack remove PACK_ID [--json]
       switchyard pack build PACK_DIR --out FILE [--json]

install and build check the pack first: its schema, every harness assembling, every reference
solution it carries passing; each problem is named with its file and line (exit 1). Removing a
pack keeps the work done on it.`,
  async run(args, io) {
    const [verb, ...rest] = args;
    if (verb === undefined) throw new UsageError('missing install, list, remove or build');
    const run = verbs[verb];
    if (!run) {
      io.stderr(`switchyard pack: unknown action '${verb}': expected install, list, remove or build\n`);
      return EXIT_USAGE;
    }
    return run(rest, io);
  },
};
export default command;

import { readPack, bundledPackDir } from '../../grading/pack-dir.ts';
import { parseCommandArgs } from '../../grading/args.ts';
import { EXIT_OK, type Command } from '../io.ts';

const command: Command = {
  summary: 'List the exercises of the bundled pack (or of --pack DIR).',
  usage: 'switchyard list [--json] [--pack DIR]',
  async run(args, io) {
    const { values } = parseCommandArgs(args, { json: { type: 'boolean' }, pack: { type: 'string' } }, { min: 0, max: 0, names: '' });
    const pack = readPack(values.pack ?? bundledPackDir());
    const rows = pack.exercises.map((e) => ({ id: e.id, title: e.spec.title, track: e.track ?? '', mode: e.spec.mode }));
    if (values.json) io.stdout(`${JSON.stringify(rows, null, 2)}\n`);
    else {
      // Columns, not `track: title`: titles of a track often begin with its name already ("i386: …").
      const width = Math.max(...rows.map((r) => r.id.length));
      const trackWidth = Math.max(...rows.map((r) => r.track.length));
      for (const r of rows) io.stdout(`${r.id.padEnd(width)}  ${r.mode.padEnd(11)}  ${r.track.padEnd(trackWidth)}  ${r.title}\n`);
    }
    return EXIT_OK;
  },
};
export default command;

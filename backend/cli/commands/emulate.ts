import { readFileSync } from 'node:fs';
import { EXECUTIONS, parseScenario, runScenario, ScenarioError, type Execution } from '../../../emulator/index.ts';
import { EXIT_OK, EXIT_USAGE, UsageError, type CliIO, type Command } from '../io.ts';

/** `switchyard emulate SCENARIO.json`: runs one scenario and prints the result (scenario-v1.md). */
const emulate: Command = {
  summary: 'Run one machine scenario (switchyard-scenario/1) and print the result as JSON.',
  usage: 'switchyard emulate SCENARIO.json [--execution compiled|blocks|interpreter] [--json]   (use - for standard input)',
  async run(argv: string[], io: CliIO): Promise<number> {
    const args = [...argv];
    let execution: Execution | undefined;
    const at = args.indexOf('--execution');
    if (at >= 0) {
      const mode = args[at + 1] as Execution | undefined;
      if (mode === undefined || !EXECUTIONS.includes(mode)) {
        throw new UsageError(`--execution ${mode === undefined ? 'needs a mode' : `'${mode}'`}: expected ${EXECUTIONS.slice(0, -1).join(', ')} or ${EXECUTIONS.at(-1)}`);
      }
      execution = mode;
      args.splice(at, 2);
    }
    // The result is always JSON; `--json` is accepted so that every command takes it.
    const files = args.filter((a) => a === '-' || !a.startsWith('-'));
    const unknown = args.find((a) => a !== '-' && a !== '--json' && a.startsWith('-'));
    if (unknown) throw new UsageError(`unknown option '${unknown}'`);
    if (files.length !== 1) throw new UsageError(files.length === 0 ? 'SCENARIO.json is missing' : `one scenario only (got ${files.length})`);
    const file = files[0];
    let text: string;
    try {
      text = readFileSync(file === '-' ? 0 : file, 'utf8');
    } catch (e) {
      io.stderr(`switchyard emulate: cannot read ${file}: ${(e as Error).message}\n`);
      return EXIT_USAGE;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      io.stderr(`switchyard emulate: ${file} is not valid JSON: ${(e as Error).message}\n`);
      return EXIT_USAGE;
    }
    let result: unknown;
    try {
      result = runScenario(parseScenario(json), { execution });
    } catch (e) {
      if (e instanceof ScenarioError) {
        io.stderr(`switchyard emulate: ${file}: ${e.message}\n`);
        return EXIT_USAGE;
      }
      throw e;
    }
    io.stdout(`${JSON.stringify(result, null, 2)}\n`);
    return EXIT_OK;
  },
};

export default emulate;

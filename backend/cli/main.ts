import { productVersion } from '../version.ts';
import { commands } from './commands.ts';
import { EXIT_USAGE, UsageError, processIO, type CliIO } from './io.ts';

function helpText(): string {
  const names = Object.keys(commands).sort();
  const width = Math.max(...names.map((name) => name.length));
  const lines = names.map((name) => `  ${name.padEnd(width)}  ${commands[name].summary}`);
  return [
    'switchyard: a lab for the assembly at the heart of every kernel',
    '',
    'Usage: switchyard <command> [options]',
    '       switchyard --help | --version',
    '',
    'Commands:',
    ...lines,
    '',
    "Run `switchyard <command> --help` for a command's options. `--json` makes a command's output machine-readable.",
    '',
  ].join('\n');
}

export async function main(argv: string[], io: CliIO = processIO): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    (name ? io.stdout : io.stderr)(helpText());
    return name ? 0 : EXIT_USAGE;
  }
  if (name === '--version' || name === '-V') {
    io.stdout(`switchyard ${productVersion}\n`);
    return 0;
  }
  const entry = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!entry) {
    io.stderr(`switchyard: unknown command '${name}'.\n\n${helpText()}`);
    return EXIT_USAGE;
  }
  const command = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(`${command.summary}\n\nUsage: ${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`switchyard ${name}: ${error.message}\nUsage: ${command.usage}\n`);
      return EXIT_USAGE;
    }
    throw error;
  }
}

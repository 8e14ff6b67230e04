import { commands } from './commands.ts';
import { EXIT_USAGE, UsageError, processIO, type CliIO } from './io.ts';

function helpText(): string {
  return `switchyard: a lab for the assembly at the heart of every kernel\n\nUsage: switchyard <command> [options]\n\nCommands:\n${Object.keys(commands)
    .sort()
    .map((name) => `  ${name}`)
    .join('\n')}\n\nRun \`switchyard <command> --help\` for a command's options.\n`;
}

export async function main(argv: string[], io: CliIO = processIO): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    (name ? io.stdout : io.stderr)(helpText());
    return name ? 0 : EXIT_USAGE;
  }
  const load = commands[name];
  if (!load) {
    io.stderr(`switchyard: unknown command '${name}'.\n\n${helpText()}`);
    return EXIT_USAGE;
  }
  const command = await load();
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

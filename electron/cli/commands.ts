import type { Command } from './io.ts';

/** Every `switchyard` subcommand, loaded only when it is asked for. */
export const commands: Record<string, () => Promise<Command>> = {
  serve: async () => (await import('./commands/serve.ts')).default,
};

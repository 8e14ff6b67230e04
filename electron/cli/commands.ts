import type { Command } from './io.ts';

/** Every `switchyard` subcommand, loaded only when it is asked for. */
export const commands: Record<string, () => Promise<Command>> = {
  serve: async () => (await import('./commands/serve.ts')).default,
  emulate: async () => (await import('./commands/emulate.ts')).default,
  asm: async () => (await import('./commands/asm.ts')).default,
  list: async () => (await import('./commands/list.ts')).default,
  check: async () => (await import('./commands/check.ts')).default,
  validate: async () => (await import('./commands/validate.ts')).default,
  run: async () => (await import('./commands/run.ts')).default,
  grade: async () => (await import('./commands/grade.ts')).default,
  progress: async () => (await import('./commands/progress.ts')).default,
  pack: async () => (await import('./commands/pack.ts')).default,
  bundle: async () => (await import('./commands/bundle.ts')).default,
  autograder: async () => (await import('./commands/autograder.ts')).default,
};

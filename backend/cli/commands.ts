import type { Command } from './io.ts';

export interface CommandEntry {
  /** The line `switchyard --help` shows; `switchyard NAME --help` shows the command's own, longer summary. */
  summary: string;
  /** Loaded only when the command runs, so that `--help` and each command load only what they use. */
  load: () => Promise<Command>;
}

/** Every `switchyard` subcommand. */
export const commands: Record<string, CommandEntry> = {
  asm: { summary: 'Assemble a GAS-syntax file and print its bytes, listing and diagnostics', load: async () => (await import('./commands/asm.ts')).default },
  check: { summary: 'Grade one learner file against one exercise', load: async () => (await import('./commands/check.ts')).default },
  emulate: { summary: 'Run one machine scenario and print the result as JSON', load: async () => (await import('./commands/emulate.ts')).default },
  grade: { summary: 'Grade a class of submissions into JSON, CSV, JUnit, Gradescope or GitHub reports', load: async () => (await import('./commands/grade.ts')).default },
  list: { summary: 'List the exercises of a pack', load: async () => (await import('./commands/list.ts')).default },
  run: { summary: 'Run a file on the emulator and print the final machine state', load: async () => (await import('./commands/run.ts')).default },
  serve: { summary: 'Serve the lab in browser mode on 127.0.0.1', load: async () => (await import('./commands/serve.ts')).default },
  validate: { summary: 'Validate an exercise pack against its reference solutions and starters (--audit: do its checks fail wrong solutions?)', load: async () => (await import('./commands/validate.ts')).default },
  progress: { summary: 'Export or import the lab\'s progress (attempts and drafts)', load: async () => (await import('./commands/progress.ts')).default },
  pack: { summary: 'Install, list, remove or build exercise packs', load: async () => (await import('./commands/pack.ts')).default },
  bundle: { summary: 'Make a submission bundle from learner files', load: async () => (await import('./commands/bundle.ts')).default },
  autograder: { summary: 'Generate a Gradescope or GitHub Classroom autograder for a pack', load: async () => (await import('./commands/autograder.ts')).default },
};

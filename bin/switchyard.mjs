#!/usr/bin/env node
// The command line runs as plain JavaScript (dist/cli, bundled by esbuild). In a checkout it is rebuilt
// first whenever its sources are newer, so the CLI and the lab always share one engine.
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { buildCli, cliMain, isCliStale } from '../build/scripts/build-lib.mjs';

if (isCliStale()) {
  try {
    await buildCli();
  } catch (error) {
    if (!existsSync(cliMain)) {
      process.stderr.write(
        `switchyard: the command line is not built and could not be built here: ${error instanceof Error ? error.message : String(error)}\nRun \`npm run build\` in the Switchyard folder.\n`,
      );
      process.exit(2);
    }
    process.stderr.write('switchyard: could not rebuild the command line from its changed sources; running the last build.\n');
  }
}

// `switchyard list | head` closes the pipe early: that is the reader's choice, not an error.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

const { main } = await import(pathToFileURL(cliMain).href);
process.exitCode = await main(process.argv.slice(2));

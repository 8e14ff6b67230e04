/**
 * The files of this Switchyard build that grading needs: the bundled command line (dist/cli), the
 * manifest and the lockfile, so an autograder runs exactly the version that made it and installs
 * only the runtime packages (no build tools: the launcher runs the bundle as it is).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { appRoot } from '../../app-root.ts';

const CLI_DIR = 'dist/cli';
const APP_FILES = ['package.json', 'package-lock.json', 'LICENSE'];

/** The shipped bin/switchyard.mjs: the checkout's launcher rebuilds the bundle, which needs tools an autograder lacks. */
const AUTOGRADER_LAUNCHER = `#!/usr/bin/env node
import { main } from '../${CLI_DIR}/main.mjs';
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});
process.exitCode = await main(process.argv.slice(2));
`;

export function appFiles(root = appRoot()): Map<string, Uint8Array> {
  const cli = join(root, CLI_DIR);
  if (!existsSync(join(cli, 'main.mjs'))) {
    throw new Error(`the command line is not built (${join(cli, 'main.mjs')} is missing): run \`npm run build\` first`);
  }
  const files = new Map<string, Uint8Array>();
  files.set('bin/switchyard.mjs', Buffer.from(AUTOGRADER_LAUNCHER));
  for (const entry of readdirSync(cli, { withFileTypes: true })) {
    if (entry.isFile()) files.set(`${CLI_DIR}/${entry.name}`, readFileSync(join(cli, entry.name)));
  }
  for (const file of APP_FILES) {
    if (existsSync(join(root, file))) files.set(file, readFileSync(join(root, file)));
  }
  return files;
}

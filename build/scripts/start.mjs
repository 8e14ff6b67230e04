// `npm start`: install what is missing, build what is stale, then open the lab: the Electron app
// where Electron is installed, otherwise browser mode on 127.0.0.1.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ensureDeps, root } from './ensure-deps.mjs';

ensureDeps();
const { buildAll } = await import('./build.mjs');
const { electronBinary } = await import('./build-lib.mjs');

try {
  await buildAll();
} catch (error) {
  process.stderr.write(`npm start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}

function canOpenBrowser() {
  if (process.platform !== 'linux') return true;
  return Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
}

const electron = electronBinary();
const [command, args] = electron
  ? [electron, [root]]
  : [process.execPath, [join(root, 'bin', 'switchyard.mjs'), 'serve', ...(canOpenBrowser() ? ['--open'] : [])]];
if (!electron) process.stderr.write('Electron is not installed here, so the lab runs in browser mode: open the URL below.\n');

const child = spawn(command, args, { cwd: root, stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

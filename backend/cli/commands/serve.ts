import { join } from 'node:path';
import { appRoot } from '../../app-root.ts';
import { createBackendDispatcher } from '../../api/handlers/index.ts';
import { createEventHub } from '../../api/events.ts';
import { startLabServer } from '../../server/lab-server.ts';
import { openInBrowser } from '../../server/open-browser.ts';
import { isRendererBuilt } from '../../server/renderer-assets.ts';
import { EXIT_FAILED, EXIT_OK, UsageError, type CliIO, type Command } from '../io.ts';

export interface ServeOptions {
  port: number;
  open: boolean;
  json: boolean;
}

export function parseServeArgs(args: string[]): ServeOptions {
  const options: ServeOptions = { port: 0, open: false, json: false };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--open') options.open = true;
    else if (arg === '--json') options.json = true;
    else if (arg === '--port' || arg.startsWith('--port=')) {
      const value = arg === '--port' ? args[++i] : arg.slice('--port='.length);
      if (value === undefined || !/^\d+$/.test(value) || Number(value) > 65535) {
        throw new UsageError(`--port: expected a port number from 0 to 65535, got ${value === undefined ? 'nothing' : `'${value}'`}`);
      }
      options.port = Number(value);
    } else throw new UsageError(`unexpected argument '${arg}'`);
  }
  return options;
}

const rendererDir = join(appRoot(), 'renderer', 'dist');

/** In a checkout, rebuilds the interface when its sources changed; without Vite, serves what is built. */
async function ensureRendererBuilt(io: CliIO): Promise<boolean> {
  const missing = !isRendererBuilt(rendererDir);
  try {
    const { buildRenderer } = await import('../../../build/scripts/build-lib.mjs');
    if (missing) io.stderr('switchyard serve: building the lab interface ...\n');
    await buildRenderer();
  } catch (error) {
    if (!missing) return true;
    io.stderr(`switchyard serve: the lab interface is not built and could not be built here (${error instanceof Error ? error.message : String(error)}); run \`npm run build\`.\n`);
    return false;
  }
  return isRendererBuilt(rendererDir);
}

function untilInterrupted(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

const serve: Command = {
  summary: 'Serve the lab in browser mode on 127.0.0.1 (prints the URL to open, with its one-launch token).',
  usage: 'switchyard serve [--port N] [--open] [--json]',
  async run(args: string[], io: CliIO): Promise<number> {
    const options = parseServeArgs(args);
    if (!(await ensureRendererBuilt(io))) return EXIT_FAILED;
    const events = createEventHub();
    const server = await startLabServer({
      port: options.port,
      rendererDir,
      dispatch: createBackendDispatcher({ platform: process.platform }),
      events,
    });
    io.stdout(options.json ? `${JSON.stringify({ url: server.url })}\n` : `${server.url}\n`);
    if (io.stderrIsTTY) io.stderr('switchyard serve: open the URL above in a browser; press Ctrl+C to stop.\n');
    if (options.open) openInBrowser(server.url);
    await untilInterrupted();
    await server.close();
    return EXIT_OK;
  },
};

export default serve;

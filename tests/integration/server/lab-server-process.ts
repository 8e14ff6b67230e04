// The browser-mode server with the real backend in a process of its own, so that a test can tell
// a crash (the process exits) from a refusal. Prints `port <n>` once listening; stops on SIGTERM.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEventHub } from '../../../backend/api/events.ts';
import { createBackendDispatcher } from '../../../backend/api/handlers/index.ts';
import { startLabServer } from '../../../backend/server/lab-server.ts';
import type { ServerLimits } from '../../../backend/server/limits.ts';

const [databasePath, token, limits, tickBytes] = process.argv.slice(2);
const tick = 'tick'.padEnd(Number(tickBytes ?? 4), '.');
const rendererDir = mkdtempSync(join(tmpdir(), 'switchyard-renderer-'));
writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>lab</title>');
const events = createEventHub();
const server = await startLabServer({ port: 0, rendererDir, token, events, limits: JSON.parse(limits ?? '{}') as Partial<ServerLimits>, dispatch: createBackendDispatcher({ platform: process.platform, databasePath }) });
// Events flow to every open socket, so that sockets being torn down also receive frames.
const ticker = setInterval(() => events.emit('app.notice', { level: 'info', message: tick }), 50);
process.stdout.write(`port ${server.port}\n`);
process.on('SIGTERM', () => {
  clearInterval(ticker);
  void server.close().then(() => process.exit(0));
});

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HTTP_API_PATH, HTTP_EVENTS_PATH } from '../../../backend/api/contract.ts';
import type { ServerLimits } from '../../../backend/server/limits.ts';

export { HTTP_API_PATH, HTTP_EVENTS_PATH };

const here = dirname(fileURLToPath(import.meta.url));
export const TOKEN = 'hostile-client-token-0123456789';

export interface ServerProcess {
  port: number;
  dir: string;
  databasePath: string;
  child: ChildProcess;
  /** Everything the server wrote to stderr so far (its log). */
  log(): string;
  /** Set once the process has exited: a crash, since only stop() ends it on purpose. */
  exited(): { code: number | null; signal: NodeJS.Signals | null } | null;
  /** Stops the server and deletes its data directory, unless told to keep it for inspection. */
  stop(keepData?: boolean): Promise<void>;
}

/** `tickBytes`: the size of the event the server sends every 50 ms to each open event socket. */
export function startServerProcess(limits: Partial<ServerLimits> = {}, tickBytes = 4): Promise<ServerProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-hostile-'));
  const databasePath = join(dir, 'progress.sqlite3');
  const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'lab-server-process.ts'), databasePath, TOKEN, JSON.stringify(limits), String(tickBytes)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    let stdout = '';
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      reject(new Error(`server process exited before listening (${code ?? signal}): ${stderr}`));
    });
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const port = /port (\d+)\n/.exec(stdout);
      if (!port) return;
      resolve({
        port: Number(port[1]), dir, databasePath, child,
        log: () => stderr,
        exited: () => exit,
        stop: (keepData = false) => new Promise<void>((done) => {
          const finish = () => {
            if (!keepData) rmSync(dir, { recursive: true, force: true });
            done();
          };
          if (exit) return finish();
          child.once('exit', finish);
          child.kill('SIGTERM');
        }),
      });
    });
  });
}

export interface Reply { status: number; body: string }

export function headersFor(port: number): Record<string, string> {
  return { host: `127.0.0.1:${port}`, origin: `http://127.0.0.1:${port}`, authorization: `Bearer ${TOKEN}` };
}

/** One API call through the real HTTP transport. */
export function callApi(port: number, method: string, args: unknown, timeoutMs = 10_000): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, path: HTTP_API_PATH, method: 'POST', agent: false, timeout: timeoutMs, headers: { ...headersFor(port), 'content-type': 'application/json' } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer to ${method} within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(JSON.stringify({ method, args }));
  });
}

/** A raw TCP connection to the server, for clients no HTTP library would produce. */
export function rawConnection(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => resolve(socket));
    socket.on('error', () => {});
    socket.once('error', reject);
  });
}

/** Reads from a raw connection until the peer closes it or `ms` pass; returns what arrived. */
export function readUntilClosed(socket: Socket, ms: number): Promise<{ data: string; closed: boolean }> {
  return new Promise((resolve) => {
    let data = '';
    const timer = setTimeout(() => resolve({ data, closed: false }), ms);
    socket.setEncoding('latin1').on('data', (chunk: string) => (data += chunk));
    socket.on('close', () => { clearTimeout(timer); resolve({ data, closed: true }); });
  });
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

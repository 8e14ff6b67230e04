import { createReadStream, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { HTTP_API_PATH, HTTP_EVENTS_PATH, type ApiResponse } from '../api/contract.ts';
import { dispatchRequestBody, type Dispatcher } from '../api/dispatch.ts';
import type { EventHub } from '../api/events.ts';
import { securityHeaders } from '../shell/content-security.ts';
import { contentTypeOf, resolveAssetPath } from '../shell/renderer-assets.ts';
import { authorize, checkHostAndOrigin, createToken, tokenCookieName, tokensEqual, type RequestFacts } from './auth.ts';

export const MAX_REQUEST_BYTES = 4 * 1024 * 1024;
const LOOPBACK = '127.0.0.1';

export interface LabServerOptions {
  /** 0 picks a free port. */
  port: number;
  rendererDir: string;
  dispatch: Dispatcher;
  events?: EventHub;
  /** Tests may fix the token; otherwise a fresh one is made. */
  token?: string;
}

export interface LabServer {
  port: number;
  token: string;
  /** The address to open: it carries the token once, which the server trades for a cookie. */
  url: string;
  close(): Promise<void>;
}

function factsOf(request: IncomingMessage): RequestFacts {
  return {
    host: request.headers.host,
    origin: request.headers.origin,
    cookie: request.headers.cookie,
    authorization: request.headers.authorization,
  };
}

function sendText(response: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  response.writeHead(status, { ...securityHeaders(), 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', ...headers });
  response.end(`${text}\n`);
}

function sendJson(response: ServerResponse, status: number, body: ApiResponse): void {
  response.writeHead(status, { ...securityHeaders(), 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  response.end(JSON.stringify(body));
}

async function readBody(request: IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_REQUEST_BYTES) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function rejectUpgrade(socket: Duplex, status: number, reason: string): void {
  const text = status === 401 ? 'Unauthorized' : status === 404 ? 'Not Found' : 'Forbidden';
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(reason)}\r\n\r\n${reason}`);
}

/** Browser mode: the built renderer and the API on 127.0.0.1, for the holder of the token only. */
export async function startLabServer(options: LabServerOptions): Promise<LabServer> {
  const token = options.token ?? createToken();
  let port = options.port;

  async function serveApi(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (request.method !== 'POST') return sendText(response, 405, 'Method not allowed: the API takes POST', { Allow: 'POST' });
    if (!/^application\/json\b/i.test(request.headers['content-type'] ?? '')) return sendText(response, 415, 'Unsupported media type: send application/json');
    const text = await readBody(request);
    if (text === null) return sendJson(response, 413, { ok: false, error: { code: 'bad-request', message: `request: larger than ${MAX_REQUEST_BYTES} bytes` } });
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (error) {
      return sendJson(response, 400, { ok: false, error: { code: 'bad-request', message: `request: not JSON: ${(error as Error).message}` } });
    }
    sendJson(response, 200, await dispatchRequestBody(options.dispatch, body, { transport: 'browser' }));
  }

  function serveAsset(request: IncomingMessage, response: ServerResponse, pathname: string): void {
    if (request.method !== 'GET' && request.method !== 'HEAD') return sendText(response, 405, 'Method not allowed', { Allow: 'GET, HEAD' });
    const path = resolveAssetPath(options.rendererDir, pathname);
    if (path === null) return sendText(response, 404, 'Not found');
    let size: number;
    try {
      const stat = statSync(path);
      if (!stat.isFile()) return sendText(response, 404, 'Not found');
      size = stat.size;
    } catch {
      return sendText(response, 404, 'Not found');
    }
    response.writeHead(200, { ...securityHeaders(), 'Content-Type': contentTypeOf(path), 'Content-Length': String(size), 'Cache-Control': 'no-cache' });
    if (request.method === 'HEAD') return void response.end();
    createReadStream(path)
      .on('error', () => response.destroy())
      .pipe(response);
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const queryToken = url.searchParams.get('token');
    if (queryToken !== null && (request.method === 'GET' || request.method === 'HEAD')) {
      const where = checkHostAndOrigin(factsOf(request), port, false);
      if (!where.ok) return sendText(response, where.status, `Refused: ${where.reason}`);
      if (!tokensEqual(queryToken, token)) return sendText(response, 403, 'Refused: wrong token');
      url.searchParams.delete('token');
      // One leading slash only: `//host` would send the browser to another site.
      return sendText(response, 303, 'See Other', {
        Location: `/${url.pathname.replace(/^\/+/, '')}${url.search}`,
        'Set-Cookie': `${tokenCookieName(port)}=${token}; HttpOnly; SameSite=Strict; Path=/`,
      });
    }
    const isApi = url.pathname === HTTP_API_PATH;
    // Browsers send Origin with every POST; requiring it on the API shuts out cross-site forms outright.
    const verdict = authorize(factsOf(request), port, token, isApi);
    if (!verdict.ok) return sendText(response, verdict.status, `Refused: ${verdict.reason}`);
    if (isApi) return serveApi(request, response);
    return serveAsset(request, response, url.pathname);
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      process.stderr.write(`switchyard serve: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      if (!response.headersSent) sendText(response, 500, 'Internal error');
      else response.destroy();
    });
  });

  const sockets = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  const clients = new Set<WebSocket>();
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname !== HTTP_EVENTS_PATH) return rejectUpgrade(socket, 404, 'no such socket');
    const verdict = authorize(factsOf(request), port, token, true);
    if (!verdict.ok) return rejectUpgrade(socket, verdict.status, `Refused: ${verdict.reason}`);
    sockets.handleUpgrade(request, socket, head, (client) => {
      clients.add(client);
      client.on('close', () => clients.delete(client));
      // The socket only carries events to the page; requests go through the HTTP API.
      client.on('message', () => client.close(1008, 'this socket does not take messages'));
    });
  });
  const unsubscribe = options.events?.subscribe((event) => {
    const frame = JSON.stringify(event);
    for (const client of clients) client.send(frame);
  });

  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(options.port, LOOPBACK, () => {
      server.off('error', reject);
      resolvePromise();
    });
  });
  port = (server.address() as AddressInfo).port;

  return {
    port,
    token,
    url: `http://${LOOPBACK}:${port}/?token=${token}`,
    close: async () => {
      unsubscribe?.();
      for (const client of clients) client.terminate();
      sockets.close();
      server.closeAllConnections();
      await new Promise<void>((resolvePromise) => server.close(() => resolvePromise()));
    },
  };
}

import { createReadStream, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { HTTP_API_PATH, HTTP_EVENTS_PATH, type ApiResponse } from '../api/contract.ts';
import { dispatchRequestBody, type Dispatcher } from '../api/dispatch.ts';
import type { EventHub } from '../api/events.ts';
import { securityHeaders } from './content-security.ts';
import { contentTypeOf, resolveAssetPath } from './renderer-assets.ts';
import { authorize, checkHostAndOrigin, createToken, tokenCookieName, tokensEqual, type RequestFacts } from './auth.ts';
import { answerClientError, describeError, isClientGone, rawResponse, stderrLog, type ServerLog } from './client-faults.ts';
import { DEFAULT_LIMITS, type ServerLimits } from './limits.ts';

const LOOPBACK = '127.0.0.1';

export interface LabServerOptions {
  /** 0 picks a free port. */
  port: number;
  rendererDir: string;
  dispatch: Dispatcher;
  events?: EventHub;
  /** Tests may fix the token; otherwise a fresh one is made. */
  token?: string;
  /** Any subset of the limits overrides the defaults. */
  limits?: Partial<ServerLimits>;
  /** Where faults are logged (one line each); stderr by default. */
  log?: ServerLog;
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

type Body = { kind: 'read'; text: string } | { kind: 'too-large'; drained: boolean };

/**
 * The body, or 'too-large' once it passes `limit` bytes. The excess is read and dropped up to
 * `limit` bytes more, so that the client is reading when the 413 comes (closing a socket with
 * unread input sends a reset, which a client may see instead of the answer); past that the
 * connection is given up.
 */
async function readBody(request: IncomingMessage, limit: number): Promise<Body> {
  // A declared excess is refused before the body comes; Node's parser then reads the body past.
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > limit) return { kind: 'too-large', drained: declared <= 2 * limit };
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > 2 * limit) return { kind: 'too-large', drained: false };
    if (size <= limit) chunks.push(chunk);
  }
  return size > limit ? { kind: 'too-large', drained: true } : { kind: 'read', text: Buffer.concat(chunks).toString('utf8') };
}

function rejectUpgrade(socket: Duplex, status: number, reason: string): void {
  if (socket.writable) socket.end(rawResponse(status, reason));
  else socket.destroy();
}

function parseUrl(raw: string | undefined): URL | null {
  try {
    return new URL(raw ?? '/', 'http://localhost');
  } catch {
    return null;
  }
}

/** Browser mode: the built renderer and the API on 127.0.0.1, for the holder of the token only. */
export async function startLabServer(options: LabServerOptions): Promise<LabServer> {
  const token = options.token ?? createToken();
  const limits: ServerLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const log = options.log ?? stderrLog;
  let port = options.port;

  async function serveApi(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (request.method !== 'POST') return sendText(response, 405, 'Method not allowed: the API takes POST', { Allow: 'POST' });
    if (!/^application\/json\b/i.test(request.headers['content-type'] ?? '')) return sendText(response, 415, 'Unsupported media type: send application/json');
    const received = await readBody(request, limits.maxRequestBytes);
    if (received.kind === 'too-large') {
      log(`refused a request (413): body larger than ${limits.maxRequestBytes} bytes`);
      // Unread body bytes would be taken for the next request: such a connection ends here.
      if (!received.drained) response.setHeader('Connection', 'close');
      return sendJson(response, 413, { ok: false, error: { code: 'bad-request', message: `request: larger than ${limits.maxRequestBytes} bytes` } });
    }
    const text = received.text;
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
    const url = parseUrl(request.url);
    if (url === null) return sendText(response, 400, 'Bad request: the request target is not a URL');
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

  const server = createServer(
    {
      maxHeaderSize: limits.maxHeaderBytes,
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      // How often Node looks for connections past their header or request deadline.
      connectionsCheckingInterval: Math.max(50, Math.min(1000, limits.headersTimeoutMs / 4)),
    },
    (request, response) => {
      // A client that resets mid-request makes these emit 'error'; the response is simply abandoned.
      request.on('error', () => {});
      response.on('error', () => {});
      handle(request, response).catch((error: unknown) => {
        if (isClientGone(error)) log(`client went away during a request: ${describeError(error)}`);
        else log(error instanceof Error ? (error.stack ?? error.message) : String(error));
        if (!response.headersSent && !response.destroyed) sendText(response, 500, 'Internal error');
        else response.destroy();
      });
    },
  );
  server.maxConnections = limits.maxConnections;
  server.on('connection', (socket) => {
    // Half-open sockets (a peer that vanished without FIN or RST) are found by silence alone.
    socket.setTimeout(limits.idleTimeoutMs, () => {
      log('closed a connection idle for too long');
      socket.destroy();
    });
  });
  server.on('drop', () => log(`refused a connection: ${limits.maxConnections} already open`));
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => answerClientError(error, socket, log));

  const sockets = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  const clients = new Set<WebSocket>();
  const alive = new WeakSet<WebSocket>();
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Node hands the socket over without an error listener: a reset from here on would otherwise kill the process.
    socket.on('error', (error) => log(`event socket: ${describeError(error)}`));
    const url = parseUrl(request.url);
    if (url === null) return rejectUpgrade(socket, 400, 'the request target is not a URL');
    if (url.pathname !== HTTP_EVENTS_PATH) return rejectUpgrade(socket, 404, 'no such socket');
    const verdict = authorize(factsOf(request), port, token, true);
    if (!verdict.ok) return rejectUpgrade(socket, verdict.status, `Refused: ${verdict.reason}`);
    sockets.handleUpgrade(request, socket, head, (client) => {
      clients.add(client);
      alive.add(client);
      client.on('close', () => clients.delete(client));
      client.on('pong', () => alive.add(client));
      // Bad frames (too large, malformed) end in 'error' then 'close'; ws closes the socket itself.
      client.on('error', (error) => log(`event socket closed: ${describeError(error)}`));
      // The socket only carries events to the page; requests go through the HTTP API.
      client.on('message', () => client.close(1008, 'this socket does not take messages'));
    });
  });
  const heartbeat = setInterval(() => {
    for (const client of clients) {
      if (!alive.has(client)) {
        log('closed an event socket that stopped answering pings');
        client.terminate();
        continue;
      }
      alive.delete(client);
      client.ping();
    }
  }, limits.heartbeatMs);
  heartbeat.unref();
  const unsubscribe = options.events?.subscribe((event) => {
    const frame = JSON.stringify(event);
    for (const client of clients) {
      if (client.readyState !== client.OPEN) continue;
      if (client.bufferedAmount > limits.maxSocketBacklogBytes) {
        log(`closed an event socket that stopped reading (${client.bufferedAmount} bytes waiting)`);
        client.terminate();
        continue;
      }
      client.send(frame);
    }
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
      clearInterval(heartbeat);
      for (const client of clients) client.terminate();
      sockets.close();
      server.closeAllConnections();
      await new Promise<void>((resolvePromise) => server.close(() => resolvePromise()));
    },
  };
}

// Clients no browser would be: each fault is a function of the port that misbehaves once and
// resolves when the server has answered, dropped it, or (for resets) been left with the mess.
import WebSocket from 'ws';
import { HTTP_API_PATH, HTTP_EVENTS_PATH, TOKEN, headersFor, rawConnection, readUntilClosed, sleep } from './server-harness.ts';

/** The limits the fault tables are written for: short, so that timeouts come within a test. */
export const HOSTILE_LIMITS = { headersTimeoutMs: 600, requestTimeoutMs: 1500, idleTimeoutMs: 3000, maxHeaderBytes: 8192, maxRequestBytes: 64 * 1024 };

export const upgrade = (port: number, path: string, extra = '') =>
  `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nOrigin: http://127.0.0.1:${port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
  `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n${extra}\r\n`;

const authorized = `Authorization: Bearer ${TOKEN}\r\n`;

export const apiHead = (port: number, headers: string) =>
  `POST ${HTTP_API_PATH} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nOrigin: http://127.0.0.1:${port}\r\n${authorized}Content-Type: application/json\r\n${headers}\r\n`;

/** Requests that the client resets right after sending. */
export const RESET_DURING: Record<string, (port: number) => string> = {
  'a refused upgrade (no token)': (port) => upgrade(port, HTTP_EVENTS_PATH),
  'an upgrade to an unknown path': (port) => upgrade(port, '/nowhere', authorized),
  'an accepted upgrade': (port) => upgrade(port, HTTP_EVENTS_PATH, authorized),
  'a request with half its body': (port) => `${apiHead(port, 'Content-Length: 1000\r\n')}{"method":`,
};

export interface Hostile {
  /** What the client writes, all at once or (`trickle`) one byte every 100 ms. */
  send: (port: number) => string;
  trickle?: boolean;
  /** The status line the server must answer with before closing. */
  answer: RegExp;
}

const max = HOSTILE_LIMITS.maxRequestBytes;

export const HOSTILE: Record<string, Hostile> = {
  'TLS handshake bytes on the plain port': { send: () => '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03garbage\r\n\r\n', answer: /^HTTP\/1\.1 400/ },
  'a request line that is not HTTP': { send: () => 'HELLO\r\n\r\n', answer: /^HTTP\/1\.1 400/ },
  'an upgrade whose target is not a URL': { send: (port) => upgrade(port, 'http://[', authorized), answer: /^HTTP\/1\.1 400/ },
  'an upgrade without its key': { send: (port) => upgrade(port, HTTP_EVENTS_PATH, authorized).replace(/Sec-WebSocket-Key: [^\r]*\r\n/, ''), answer: /^HTTP\/1\.1 400/ },
  'an upgrade to an unknown protocol version': { send: (port) => upgrade(port, HTTP_EVENTS_PATH, authorized).replace('Version: 13', 'Version: 99'), answer: /^HTTP\/1\.1 400/ },
  'a request target that is not a URL': { send: (port) => `GET http://[ HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`, answer: /^HTTP\/1\.1 400/ },
  'headers past the limit': { send: (port) => `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nCookie: ${'a'.repeat(20_000)}\r\n\r\n`, answer: /^HTTP\/1\.1 431/ },
  'a declared body past the limit': { send: (port) => apiHead(port, `Content-Length: ${max + 1}\r\n`), answer: /^HTTP\/1\.1 413/ },
  'a chunked body past the limit': {
    send: (port) => `${apiHead(port, 'Transfer-Encoding: chunked\r\nConnection: close\r\n')}${`4000\r\n${'x'.repeat(0x4000)}\r\n`.repeat(6)}0\r\n\r\n`,
    answer: /^HTTP\/1\.1 413/,
  },
  'a body far past the limit': { send: (port) => `${apiHead(port, `Content-Length: ${max * 3}\r\n`)}${'x'.repeat(max * 3)}`, answer: /^HTTP\/1\.1 413/ },
  'a body that is not JSON': { send: (port) => `${apiHead(port, 'Content-Length: 5\r\nConnection: close\r\n')}{"me"`, answer: /^HTTP\/1\.1 400/ },
  'headers trickled byte by byte': { send: (port) => `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX-Slow: ${'s'.repeat(40)}`, trickle: true, answer: /^HTTP\/1\.1 408/ },
  'a body that stops halfway': { send: (port) => `${apiHead(port, 'Content-Length: 100\r\n')}{"method":`, answer: /^HTTP\/1\.1 408/ },
  'a connection that never says anything': { send: () => '', answer: /^HTTP\/1\.1 408/ },
};

/** Plays one hostile client; returns what the server sent and whether it closed the connection. */
export async function playHostile(port: number, hostile: Hostile): Promise<{ data: string; closed: boolean }> {
  const socket = await rawConnection(port);
  const text = hostile.send(port);
  const reply = readUntilClosed(socket, 5000);
  if (hostile.trickle) {
    for (const ch of text) {
      if (socket.destroyed) break;
      socket.write(ch);
      await sleep(100);
    }
  } else if (text) socket.write(text);
  const outcome = await reply;
  socket.destroy();
  return outcome;
}

export async function resetDuring(port: number, requestText: string, waitMs: number): Promise<void> {
  const socket = await rawConnection(port);
  socket.write(requestText);
  await sleep(waitMs);
  socket.resetAndDestroy();
}

/** An event socket that sends what the server refuses: a frame past the size limit, or bytes that are no frame. */
export async function badFrame(port: number, kind: 'oversized' | 'unframed'): Promise<void> {
  const client = new WebSocket(`ws://127.0.0.1:${port}${HTTP_EVENTS_PATH}`, { headers: headersFor(port) });
  client.on('error', () => {});
  await new Promise((resolve, reject) => {
    client.once('open', resolve);
    client.once('close', reject);
  });
  const closed = new Promise((resolve) => client.once('close', resolve));
  if (kind === 'oversized') client.send(Buffer.alloc(100_000, 0x61));
  else (client as unknown as { _socket: { write(b: Buffer): void } })._socket.write(Buffer.from([0xff, 0xff, 0xff]));
  await closed;
}

/** An event socket that never reads what it is sent, then vanishes without a close frame. */
export async function stalledReader(port: number, holdMs: number): Promise<void> {
  const client = new WebSocket(`ws://127.0.0.1:${port}${HTTP_EVENTS_PATH}`, { headers: headersFor(port) });
  client.on('error', () => {});
  await new Promise((resolve, reject) => {
    client.once('open', resolve);
    client.once('close', reject);
  });
  (client as unknown as { _socket: { pause(): void } })._socket.pause();
  await sleep(holdMs);
  client.terminate();
}

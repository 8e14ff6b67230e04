import type { Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ServerLimits } from '../../../electron/server/limits.ts';
import { HTTP_API_PATH, HTTP_EVENTS_PATH, TOKEN, callApi, headersFor, rawConnection, readUntilClosed, sleep, startServerProcess, type ServerProcess } from './server-harness.ts';

let server: ServerProcess;

// A fresh server per test, so that one crash is reported where it happened and not by every later test.
beforeEach(async () => {
  server = await startServerProcess();
});

afterEach(async () => {
  await server?.stop();
});

async function expectStillServing(): Promise<void> {
  expect(server.exited(), `the server died; its log:\n${server.log()}`).toBeNull();
  const reply = await callApi(server.port, 'app.echo', { text: 'still here' });
  expect(reply.status).toBe(200);
  expect(JSON.parse(reply.body)).toEqual({ ok: true, result: { text: 'still here' } });
}

const upgrade = (port: number, path: string, extra = '') =>
  `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nOrigin: http://127.0.0.1:${port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
  `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n${extra}\r\n`;

describe('the browser-mode server survives a client that resets its connection', () => {
  it.each([
    ['a refused upgrade (no token)', (port: number) => upgrade(port, HTTP_EVENTS_PATH)],
    ['an upgrade to an unknown path', (port: number) => upgrade(port, '/nowhere', `Authorization: Bearer ${TOKEN}\r\n`)],
    ['an accepted upgrade', (port: number) => upgrade(port, HTTP_EVENTS_PATH, `Authorization: Bearer ${TOKEN}\r\n`)],
    ['a request with half its body', (port: number) => `POST ${HTTP_API_PATH} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nOrigin: http://127.0.0.1:${port}\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"method":`],
  ])('reset during %s', async (_name, requestText) => {
    for (let round = 0; round < 20 && server.exited() === null; round++) {
      const socket = await rawConnection(server.port);
      socket.write(requestText(server.port));
      // Reset once the server has had time to answer or to start reading: an RST then reaches a socket it still holds.
      await sleep(round % 4);
      socket.resetAndDestroy();
      await sleep(5);
    }
    await sleep(200);
    await expectStillServing();
  });
});

const LIMITS = { headersTimeoutMs: 600, requestTimeoutMs: 1500, idleTimeoutMs: 3000, maxHeaderBytes: 8192, maxRequestBytes: 64 * 1024 };
const api = (port: number, headers: string) =>
  `POST ${HTTP_API_PATH} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nOrigin: http://127.0.0.1:${port}\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Type: application/json\r\n${headers}\r\n`;

interface Hostile {
  /** What the client writes, all at once or (`trickle`) one byte every 100 ms. */
  send: (port: number) => string;
  trickle?: boolean;
  /** The status line the server must answer with before closing. */
  answer: RegExp;
}

const HOSTILE: Record<string, Hostile> = {
  'TLS handshake bytes on the plain port': { send: () => '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03garbage\r\n\r\n', answer: /^HTTP\/1\.1 400/ },
  'a request line that is not HTTP': { send: () => 'HELLO\r\n\r\n', answer: /^HTTP\/1\.1 400/ },
  'an upgrade whose target is not a URL': { send: (port) => upgrade(port, 'http://[', `Authorization: Bearer ${TOKEN}\r\n`), answer: /^HTTP\/1\.1 400/ },
  'an upgrade without its key': { send: (port) => upgrade(port, HTTP_EVENTS_PATH, `Authorization: Bearer ${TOKEN}\r\n`).replace(/Sec-WebSocket-Key: [^\r]*\r\n/, ''), answer: /^HTTP\/1\.1 400/ },
  'an upgrade to an unknown protocol version': { send: (port) => upgrade(port, HTTP_EVENTS_PATH, `Authorization: Bearer ${TOKEN}\r\n`).replace('Version: 13', 'Version: 99'), answer: /^HTTP\/1\.1 400/ },
  'a request target that is not a URL': { send: (port) => `GET http://[ HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`, answer: /^HTTP\/1\.1 400/ },
  'headers past the limit': { send: (port) => `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nCookie: ${'a'.repeat(20_000)}\r\n\r\n`, answer: /^HTTP\/1\.1 431/ },
  'a declared body past the limit': { send: (port) => api(port, `Content-Length: ${LIMITS.maxRequestBytes + 1}\r\n`), answer: /^HTTP\/1\.1 413/ },
  'a chunked body past the limit': {
    send: (port) => `${api(port, 'Transfer-Encoding: chunked\r\nConnection: close\r\n')}${`4000\r\n${'x'.repeat(0x4000)}\r\n`.repeat(6)}0\r\n\r\n`,
    answer: /^HTTP\/1\.1 413/,
  },
  'a body far past the limit': {
    send: (port) => `${api(port, `Content-Length: ${LIMITS.maxRequestBytes * 3}\r\n`)}${'x'.repeat(LIMITS.maxRequestBytes * 3)}`,
    answer: /^HTTP\/1\.1 413/,
  },
  'headers trickled byte by byte': { send: (port) => `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX-Slow: ${'s'.repeat(40)}`, trickle: true, answer: /^HTTP\/1\.1 408/ },
  'a body that stops halfway': { send: (port) => `${api(port, 'Content-Length: 100\r\n')}{"method":`, answer: /^HTTP\/1\.1 408/ },
  'a connection that never says anything': { send: () => '', answer: /^HTTP\/1\.1 408/ },
};

describe('the browser-mode server answers or drops a hostile client, and keeps serving', () => {
  it.each(Object.entries(HOSTILE))('%s', async (_name, hostile) => {
    server = await restartWith(LIMITS);
    const socket = await rawConnection(server.port);
    const text = hostile.send(server.port);
    const reply = readUntilClosed(socket, 5000);
    if (hostile.trickle) {
      for (const ch of text) {
        if (socket.destroyed) break;
        socket.write(ch);
        await sleep(100);
      }
    } else if (text) socket.write(text);
    const { data, closed } = await reply;
    expect(closed, 'the server must close the connection').toBe(true);
    expect(data).toMatch(hostile.answer);
    await expectStillServing();
  }, 20_000);

  it('closes an event socket that sends frames past the size limit or not framed at all', async () => {
    for (const bad of [Buffer.alloc(100_000, 0x61), Buffer.from([0xff, 0xff, 0xff])]) {
      const client = new WebSocket(`ws://127.0.0.1:${server.port}${HTTP_EVENTS_PATH}`, { headers: headersFor(server.port) });
      client.on('error', () => {});
      await new Promise((resolve) => client.once('open', resolve));
      const closed = new Promise((resolve) => client.once('close', resolve));
      if (bad.length > 10) client.send(bad);
      else (client as unknown as { _socket: Socket })._socket.write(bad);
      await closed;
    }
    await expectStillServing();
  });

  it('serves 150 concurrent requests, each answered', async () => {
    const replies = await Promise.all(Array.from({ length: 150 }, (_, k) => callApi(server.port, 'app.echo', { text: `n${k}` })));
    expect(replies.map((r) => JSON.parse(r.body) as unknown)).toEqual(replies.map((_, k) => ({ ok: true, result: { text: `n${k}` } })));
  });
});

async function restartWith(limits: Partial<ServerLimits>): Promise<ServerProcess> {
  await server.stop();
  return startServerProcess(limits);
}

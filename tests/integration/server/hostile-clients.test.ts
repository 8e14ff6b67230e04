import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HTTP_API_PATH, HTTP_EVENTS_PATH, TOKEN, callApi, rawConnection, sleep, startServerProcess, type ServerProcess } from './server-harness.ts';

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

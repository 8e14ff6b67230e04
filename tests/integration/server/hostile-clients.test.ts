import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ServerLimits } from '../../../backend/server/limits.ts';
import { HOSTILE, HOSTILE_LIMITS, RESET_DURING, badFrame, playHostile, resetDuring, stalledReader } from './hostile-requests.ts';
import { callApi, sleep, startServerProcess, type ServerProcess } from './server-harness.ts';

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

describe('the browser-mode server survives a client that resets its connection', () => {
  it.each(Object.entries(RESET_DURING))('reset during %s', async (_name, requestText) => {
    for (let round = 0; round < 20 && server.exited() === null; round++) {
      // Reset once the server has had time to answer or to start reading: an RST then reaches a socket it still holds.
      await resetDuring(server.port, requestText(server.port), round % 4);
      await sleep(5);
    }
    await sleep(200);
    await expectStillServing();
  });
});

describe('the browser-mode server answers or drops a hostile client, and keeps serving', () => {
  it.each(Object.entries(HOSTILE))('%s', async (_name, hostile) => {
    server = await restartWith(HOSTILE_LIMITS);
    const { data, closed } = await playHostile(server.port, hostile);
    expect(closed, 'the server must close the connection').toBe(true);
    expect(data).toMatch(hostile.answer);
    await expectStillServing();
  }, 20_000);

  it('closes an event socket that sends frames past the size limit or not framed at all', async () => {
    await badFrame(server.port, 'oversized');
    await badFrame(server.port, 'unframed');
    await expectStillServing();
  });

  it('drops an event socket whose reader stalls, once its backlog passes the limit', async () => {
    server = await restartWith({ maxSocketBacklogBytes: 1024 * 1024 }, 256 * 1024);
    await stalledReader(server.port, 3000);
    await sleep(200);
    expect(server.log()).toMatch(/closed an event socket that stopped reading/);
    await expectStillServing();
  });

  it('serves 150 concurrent requests, each answered', async () => {
    const replies = await Promise.all(Array.from({ length: 150 }, (_, k) => callApi(server.port, 'app.echo', { text: `n${k}` })));
    expect(replies.map((r) => JSON.parse(r.body) as unknown)).toEqual(replies.map((_, k) => ({ ok: true, result: { text: `n${k}` } })));
  });
});

async function restartWith(limits: Partial<ServerLimits>, tickBytes?: number): Promise<ServerProcess> {
  await server.stop();
  return startServerProcess(limits, tickBytes);
}

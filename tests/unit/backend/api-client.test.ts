import { describe, expect, it } from 'vitest';
import { ApiCallError } from '../../../backend/api/contract.ts';
import { createBackendDispatcher } from '../../../backend/api/handlers/index.ts';
import { ApiClient } from '../../../renderer/src/lib/api/client.ts';
import type { RawEvent, Transport } from '../../../renderer/src/lib/api/transport.ts';

function transport(invoke: Transport['invoke'], listeners: Set<(event: RawEvent) => void> = new Set()): Transport {
  return {
    kind: 'browser',
    invoke,
    onEvent: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

const dispatch = createBackendDispatcher({ platform: 'test' });
const realBackend = transport((method, args) => dispatch(method, args, { transport: 'browser' }));

describe('ApiClient', () => {
  it('returns typed results from the backend', async () => {
    const client = new ApiClient(realBackend);
    expect(await client.call('app.echo', { text: 'swapgs' })).toEqual({ text: 'swapgs' });
    expect((await client.call('app.info', {})).transport).toBe('browser');
  });

  it.each([
    ['an error envelope', { ok: false, error: { code: 'failed', message: 'no such draft' } }, 'failed', 'app.echo: no such draft'],
    ['a malformed envelope', { ok: 'yes' }, 'bad-request', 'malformed response'],
    ['a result outside the contract', { ok: true, result: { text: 3 } }, 'invalid-result', 'result.text'],
    ['nothing at all', undefined, 'bad-request', 'malformed response'],
  ])('throws an ApiCallError for %s', async (_name, raw, code, message) => {
    const client = new ApiClient(transport(async () => raw));
    const error = await client.call('app.echo', { text: 'a' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiCallError);
    expect((error as ApiCallError).code).toBe(code);
    expect((error as ApiCallError).message).toContain(message);
  });

  it('reports an unreachable backend as an ApiCallError', async () => {
    const client = new ApiClient(transport(async () => Promise.reject(new TypeError('Failed to fetch'))));
    await expect(client.call('app.info', {})).rejects.toThrow('the backend could not be reached: Failed to fetch');
  });

  it('delivers only the subscribed, well-formed events', () => {
    const listeners = new Set<(event: RawEvent) => void>();
    const client = new ApiClient(transport(async () => undefined, listeners));
    const seen: unknown[] = [];
    const stop = client.on('app.notice', (payload) => seen.push(payload));
    for (const listener of listeners) {
      listener({ name: 'app.notice', payload: { level: 'info', message: 'saved' } });
      listener({ name: 'app.notice', payload: { level: 'loud', message: 'bad level' } });
      listener({ name: 'other.event', payload: {} });
    }
    stop();
    expect(seen).toEqual([{ level: 'info', message: 'saved' }]);
    expect(listeners.size).toBe(0);
  });
});

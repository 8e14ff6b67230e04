import { describe, expect, it } from 'vitest';
import { ECHO_MAX_LENGTH } from '../../../backend/api/contract.ts';
import { ApiFailure, createDispatcher, dispatchRequestBody, type Handlers } from '../../../backend/api/dispatch.ts';
import { createHandlers } from '../../../backend/api/handlers/index.ts';

const errors: unknown[] = [];
const dispatch = createDispatcher(createHandlers({ platform: 'test' }), { onInternalError: (_m, e) => errors.push(e) });
const context = { transport: 'electron' as const };

describe('dispatcher: arguments', () => {
  it.each([
    ['a number where text goes', 'app.echo', { text: 42 }, 'invalid-args', 'args.text'],
    ['missing text', 'app.echo', {}, 'invalid-args', 'args.text'],
    ['text too long', 'app.echo', { text: 'x'.repeat(ECHO_MAX_LENGTH + 1) }, 'invalid-args', 'args.text'],
    ['an unknown field', 'app.echo', { text: 'a', extra: 1 }, 'invalid-args', 'extra'],
    ['arguments that are not an object', 'app.info', 'hello', 'invalid-args', 'args'],
    ['an unknown method', 'app.reboot', {}, 'unknown-method', "'app.reboot'"],
    ['a method that is not a string', 7, {}, 'bad-request', 'method'],
    ['a name inherited from Object.prototype', 'toString', {}, 'unknown-method', "'toString'"],
  ])('rejects %s', async (_name, method, args, code, mentions) => {
    const response = await dispatch(method, args, context);
    expect(response.ok).toBe(false);
    if (response.ok) return;
    expect(response.error.code).toBe(code);
    expect(response.error.message).toContain(mentions);
  });

  it.each([
    ['app.echo', { text: '' }, { text: '' }],
    ['app.echo', { text: 'mov %rsp, 8(%rdi)' }, { text: 'mov %rsp, 8(%rdi)' }],
    ['app.info', {}, { transport: 'electron', platform: 'test' }],
  ])('answers %s %j', async (method, args, expected) => {
    const response = await dispatch(method, args, context);
    expect(response).toMatchObject({ ok: true, result: expected });
  });
});

describe('dispatcher: handlers that go wrong', () => {
  const base = createHandlers({ platform: 'test' });
  const cases: [string, Partial<Handlers>, string, string][] = [
    ['a refusal the user can act on', { 'app.echo': () => { throw new ApiFailure('no such draft'); } }, 'failed', 'no such draft'],
    ['an unexpected exception', { 'app.echo': () => { throw new TypeError('boom'); } }, 'internal', 'boom'],
    ['a result outside the contract', { 'app.echo': () => ({ text: 5 }) as unknown as { text: string } }, 'invalid-result', 'result.text'],
    ['a rejected promise', { 'app.echo': async () => Promise.reject(new Error('disk gone')) }, 'internal', 'disk gone'],
  ];
  it.each(cases)('turns %s into an error response', async (_name, override, code, mentions) => {
    const response = await createDispatcher({ ...base, ...override } as Handlers)('app.echo', { text: 'a' }, context);
    expect(response).toMatchObject({ ok: false, error: { code } });
    if (!response.ok) expect(response.error.message).toContain(mentions);
  });

  it('reports unexpected exceptions to the backend log', async () => {
    errors.length = 0;
    const noisy = createDispatcher({ ...base, 'app.echo': () => { throw new Error('bug'); } }, { onInternalError: (_m, e) => errors.push(e) });
    await noisy('app.echo', { text: 'a' }, context);
    expect(errors).toHaveLength(1);
  });
});

describe('request envelopes (browser mode)', () => {
  it.each([
    ['not an object', 'app.info', 'body'],
    ['no method', { args: {} }, 'body.method'],
    ['an extra field', { method: 'app.info', args: {}, token: 'x' }, 'token'],
  ])('rejects %s', async (_name, body, mentions) => {
    const response = await dispatchRequestBody(dispatch, body, { transport: 'browser' });
    expect(response).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    if (!response.ok) expect(response.error.message).toContain(mentions);
  });
});

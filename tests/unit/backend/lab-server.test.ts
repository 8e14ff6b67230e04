import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createEventHub } from '../../../backend/api/events.ts';
import { createBackendDispatcher } from '../../../backend/api/handlers/index.ts';
import { startLabServer, type LabServer } from '../../../backend/server/lab-server.ts';
import { tokenCookieName } from '../../../backend/server/auth.ts';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

const TOKEN = 'test-token-0123456789';
let server: LabServer;
let root: string;
const hub = createEventHub();

function send(path: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port: server.port, path, method: options.method ?? 'GET', headers: { host: `127.0.0.1:${server.port}`, ...options.headers } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

const cookie = () => `${tokenCookieName(server.port)}=${TOKEN}`;
const origin = () => `http://127.0.0.1:${server.port}`;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'switchyard-server-'));
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>lab</title>');
  mkdirSync(join(root, 'assets'));
  writeFileSync(join(root, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(root, '..', 'switchyard-outside-secret.txt'), 'secret');
  server = await startLabServer({ port: 0, rendererDir: root, dispatch: createBackendDispatcher({ platform: 'test' }), events: hub, token: TOKEN });
});

afterAll(async () => {
  await server.close();
  rmSync(root, { recursive: true, force: true });
  rmSync(join(root, '..', 'switchyard-outside-secret.txt'), { force: true });
});

describe('browser-mode server: who may get in', () => {
  it.each([
    ['no token at all', '/', {}, 401],
    ['no token, static asset', '/assets/app.js', {}, 401],
    ['wrong token in the query', '/?token=nope', {}, 403],
    ['wrong cookie', '/', { cookie: (): string => `${tokenCookieName(server.port)}=nope` }, 403],
    ['token cookie of another port', '/', { cookie: (): string => `${tokenCookieName(server.port + 1)}=${TOKEN}` }, 401],
    ['wrong bearer token', '/', { authorization: (): string => 'Bearer nope' }, 403],
    ['right cookie, foreign Host (DNS rebinding)', '/', { cookie, host: (): string => `evil.example:${server.port}` }, 403],
    ['right token in the query, foreign Host', `/?token=${TOKEN}`, { host: (): string => 'evil.example' }, 403],
    ['right cookie, Host on another port', '/', { cookie, host: (): string => `127.0.0.1:${server.port + 1}` }, 403],
    ['right cookie, foreign Origin', '/', { cookie, origin: (): string => 'http://evil.example' }, 403],
    ['right cookie', '/', { cookie }, 200],
    ['right cookie, localhost Host', '/', { cookie, host: (): string => `localhost:${server.port}` }, 200],
    ['right bearer token', '/assets/app.js', { authorization: (): string => `Bearer ${TOKEN}` }, 200],
    ['right cookie, traversal out of the renderer', '/..%2fswitchyard-outside-secret.txt', { cookie }, 404],
    ['right cookie, missing file', '/nothing.js', { cookie }, 404],
  ] as const)('%s', async (_name, path, headerFns, status) => {
    const headers = Object.fromEntries(Object.entries(headerFns).map(([key, fn]) => [key, (fn as () => string)()]));
    const reply = await send(path, { headers });
    expect(reply.status).toBe(status);
    if (status === 200) expect(reply.headers['content-security-policy']).toContain("default-src 'none'");
    else expect(reply.body).not.toContain('<title>lab</title>');
  });

  it('trades the token in the URL for an HttpOnly SameSite=Strict cookie and drops it from the address', async () => {
    const reply = await send(`/?token=${TOKEN}`);
    expect(reply.status).toBe(303);
    expect(reply.headers.location).toBe('/');
    const setCookie = String(reply.headers['set-cookie']);
    expect(setCookie).toContain(`${tokenCookieName(server.port)}=${TOKEN}`);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
  });

  it.each([
    ['/assets/app.js?token=TOKEN&x=1', '/assets/app.js?x=1'],
    ['//evil.example/?token=TOKEN', '/'],
    ['/%2F%2Fevil.example/?token=TOKEN', '/%2F%2Fevil.example/'],
  ])('redirects %s to %s on this server only', async (from, to) => {
    const reply = await send(from.replace('TOKEN', TOKEN));
    expect(reply.status).toBe(303);
    expect(reply.headers.location).toBe(to);
  });

  it('serves the renderer with its content type and the CSP', async () => {
    const reply = await send('/assets/app.js', { headers: { cookie: cookie() } });
    expect(reply.headers['content-type']).toMatch(/^text\/javascript/);
    expect(reply.headers['x-content-type-options']).toBe('nosniff');
    expect(reply.body).toBe('console.log(1)');
  });
});

describe('browser-mode server: the API', () => {
  const post = (body: unknown, headers: Record<string, string> = {}) =>
    send('/api/invoke', { method: 'POST', body: JSON.stringify(body), headers: { cookie: cookie(), origin: origin(), 'content-type': 'application/json', ...headers } });

  it('answers app.info with the browser transport', async () => {
    const reply = await post({ method: 'app.info', args: {} });
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body)).toMatchObject({ ok: true, result: { transport: 'browser', platform: 'test' } });
  });

  it('round-trips app.echo', async () => {
    const reply = await post({ method: 'app.echo', args: { text: 'iretq ✓' } });
    expect(JSON.parse(reply.body)).toEqual({ ok: true, result: { text: 'iretq ✓' } });
  });

  it.each([
    ['no token', { cookie: '' }, 401],
    ['no Origin header', { origin: '' }, 403],
    ['foreign Origin', { origin: 'http://evil.example' }, 403],
    ['a form post (not JSON)', { 'content-type': 'application/x-www-form-urlencoded' }, 415],
  ])('refuses %s', async (_name, headers, status) => {
    const merged = { cookie: cookie(), origin: origin(), 'content-type': 'application/json', ...headers };
    const clean = Object.fromEntries(Object.entries(merged).filter(([, value]) => value !== ''));
    const reply = await send('/api/invoke', { method: 'POST', body: JSON.stringify({ method: 'app.info', args: {} }), headers: clean });
    expect(reply.status).toBe(status);
  });

  it('refuses GET on the API', async () => {
    expect((await send('/api/invoke', { headers: { cookie: cookie(), origin: origin() } })).status).toBe(405);
  });

  it('answers malformed JSON with a bad-request envelope', async () => {
    const reply = await send('/api/invoke', { method: 'POST', body: '{nope', headers: { cookie: cookie(), origin: origin(), 'content-type': 'application/json' } });
    expect(reply.status).toBe(400);
    expect(JSON.parse(reply.body)).toMatchObject({ ok: false, error: { code: 'bad-request' } });
  });

  it('names the bad field', async () => {
    const reply = await post({ method: 'app.echo', args: { text: 42 } });
    expect(JSON.parse(reply.body)).toMatchObject({ ok: false, error: { code: 'invalid-args' } });
    expect(JSON.parse(reply.body).error.message).toContain('args.text');
  });
});

describe('browser-mode server: the event socket', () => {
  function connect(headers: Record<string, string>): Promise<{ socket: WebSocket; status: number }> {
    return new Promise((resolve) => {
      const socket = new WebSocket(`ws://127.0.0.1:${server.port}/api/events`, { headers: { host: `127.0.0.1:${server.port}`, ...headers } });
      socket.on('open', () => resolve({ socket, status: 101 }));
      socket.on('unexpected-response', (_req, res) => resolve({ socket, status: res.statusCode ?? 0 }));
      socket.on('error', () => resolve({ socket, status: -1 }));
    });
  }

  it.each([
    ['no token', () => ({ origin: origin() }), 401],
    ['wrong token', () => ({ origin: origin(), cookie: `${tokenCookieName(server.port)}=nope` }), 403],
    ['no Origin', () => ({ cookie: cookie() }), 403],
    ['foreign Origin', () => ({ origin: 'http://evil.example', cookie: cookie() }), 403],
    ['foreign Host', () => ({ origin: origin(), cookie: cookie(), host: 'evil.example' }), 403],
    ['the token', () => ({ origin: origin(), cookie: cookie() }), 101],
  ])('upgrade with %s', async (_name, headers, status) => {
    const { socket, status: got } = await connect(headers());
    socket.terminate();
    expect(got).toBe(status);
  });

  it('pushes backend events to an authorized page', async () => {
    const { socket } = await connect({ origin: origin(), cookie: cookie() });
    const received = new Promise<unknown>((resolve) => socket.once('message', (data) => resolve(JSON.parse(String(data)))));
    hub.emit('app.notice', { level: 'info', message: 'progress saved' });
    expect(await received).toEqual({ name: 'app.notice', payload: { level: 'info', message: 'progress saved' } });
    socket.terminate();
  });
});

import { describe, expect, it } from 'vitest';
import { authorize, createToken, parseCookies, presentedToken, tokensEqual } from '../../../backend/server/auth.ts';

const PORT = 4321;
const TOKEN = 'secret-token';
const facts = (over: Partial<{ host: string; origin: string; cookie: string; authorization: string }>) => ({
  host: `127.0.0.1:${PORT}`,
  origin: undefined,
  cookie: undefined,
  authorization: undefined,
  ...over,
});

describe('browser-mode authorization', () => {
  it.each([
    ['the cookie', facts({ cookie: `other=1; switchyard_token_${PORT}=${TOKEN}` }), false, { ok: true }],
    ['a bearer token', facts({ authorization: `Bearer ${TOKEN}` }), false, { ok: true }],
    ['a lower-case bearer token', facts({ authorization: `bearer ${TOKEN}` }), false, { ok: true }],
    ['localhost', facts({ host: `LOCALHOST:${PORT}`, authorization: `Bearer ${TOKEN}` }), false, { ok: true }],
    ['nothing', facts({}), false, { ok: false, status: 401 }],
    ['a token prefix', facts({ authorization: `Bearer ${TOKEN.slice(0, -1)}` }), false, { ok: false, status: 403 }],
    ['the token plus one character', facts({ authorization: `Bearer ${TOKEN}x` }), false, { ok: false, status: 403 }],
    ['no Host header', facts({ host: undefined as unknown as string, authorization: `Bearer ${TOKEN}` }), false, { ok: false, status: 403 }],
    ['Host without the port', facts({ host: '127.0.0.1', authorization: `Bearer ${TOKEN}` }), false, { ok: false, status: 403 }],
    ['Host 0.0.0.0', facts({ host: `0.0.0.0:${PORT}`, authorization: `Bearer ${TOKEN}` }), false, { ok: false, status: 403 }],
    ['Origin "null"', facts({ origin: 'null', authorization: `Bearer ${TOKEN}` }), false, { ok: false, status: 403 }],
    ['an https Origin', facts({ origin: `https://127.0.0.1:${PORT}`, authorization: `Bearer ${TOKEN}` }), false, { ok: false, status: 403 }],
    ['a required Origin that is missing', facts({ authorization: `Bearer ${TOKEN}` }), true, { ok: false, status: 403 }],
    ['a required Origin that matches', facts({ origin: `http://localhost:${PORT}`, authorization: `Bearer ${TOKEN}` }), true, { ok: true }],
  ])('%s', (_name, request, originRequired, verdict) => {
    expect(authorize(request, PORT, TOKEN, originRequired)).toMatchObject(verdict);
  });

  it.each([
    ['', []],
    ['a=1', [['a', '1']]],
    [' a = 1 ; b=2=3;;c', [['a', '1'], ['b', '2=3']]],
  ])('parses the cookie header %j', (header, pairs) => {
    expect([...parseCookies(header)]).toEqual(pairs);
  });

  it('prefers the Authorization header to the cookie', () => {
    expect(presentedToken(facts({ authorization: 'Bearer one', cookie: `switchyard_token_${PORT}=two` }), PORT)).toBe('one');
  });

  it('makes a fresh, URL-safe 256-bit token each time', () => {
    const [a, b] = [createToken(), createToken()];
    expect(a).not.toBe(b);
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(tokensEqual(a, a)).toBe(true);
    expect(tokensEqual(a, b)).toBe(false);
  });
});

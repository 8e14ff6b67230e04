import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A fresh secret per launch: whoever holds it may use this lab server, nobody else. */
export function createToken(): string {
  return randomBytes(32).toString('base64url');
}

export function tokensEqual(presented: string, expected: string): boolean {
  // Compare digests so neither the length nor the content leaks through timing.
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** Cookies are shared across ports on one host, so the name carries the port. */
export function tokenCookieName(port: number): string {
  return `switchyard_token_${port}`;
}

function allowedHosts(port: number): string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`];
}

function allowedOrigins(port: number): string[] {
  return allowedHosts(port).map((host) => `http://${host}`);
}

export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    cookies.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return cookies;
}

/** The parts of a request that decide whether it may be served. */
export interface RequestFacts {
  host: string | undefined;
  origin: string | undefined;
  cookie: string | undefined;
  authorization: string | undefined;
}

export type Verdict = { ok: true } | { ok: false; status: 401 | 403; reason: string };

export function presentedToken(facts: RequestFacts, port: number): string | undefined {
  const bearer = /^Bearer\s+(\S+)$/i.exec(facts.authorization ?? '');
  if (bearer) return bearer[1];
  return parseCookies(facts.cookie).get(tokenCookieName(port));
}

/**
 * The Host check defeats DNS rebinding (a hostile page whose name resolves to 127.0.0.1); the
 * Origin check refuses other sites' scripts; the token refuses every other local program and user.
 */
export function checkHostAndOrigin(facts: RequestFacts, port: number, originRequired: boolean): Verdict {
  if (!facts.host || !allowedHosts(port).includes(facts.host.toLowerCase())) {
    return { ok: false, status: 403, reason: `unexpected Host header '${facts.host ?? ''}'` };
  }
  if (facts.origin === undefined ? originRequired : !allowedOrigins(port).includes(facts.origin.toLowerCase())) {
    return { ok: false, status: 403, reason: `unexpected Origin '${facts.origin ?? '(none)'}'` };
  }
  return { ok: true };
}

export function authorize(facts: RequestFacts, port: number, token: string, originRequired = false): Verdict {
  const origin = checkHostAndOrigin(facts, port, originRequired);
  if (!origin.ok) return origin;
  const presented = presentedToken(facts, port);
  if (presented === undefined) return { ok: false, status: 401, reason: 'missing token: open the URL that `switchyard serve` printed' };
  if (!tokensEqual(presented, token)) return { ok: false, status: 403, reason: 'wrong token' };
  return { ok: true };
}

import { readFile, stat } from 'node:fs/promises';
import { securityHeaders } from '../../backend/server/content-security.ts';
import type { CustomScheme } from './electron-api.ts';
import { contentTypeOf, resolveAssetPath } from '../../backend/server/renderer-assets.ts';

/**
 * The renderer is served from switchyard://app/ rather than file://: a file:// page could read any
 * file its links name, and every file:// page shares one origin. Our scheme serves only the built
 * renderer, with the CSP on every response.
 */
export const APP_SCHEME = 'switchyard';
const APP_HOST = 'app';
export const APP_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

export const appSchemePrivileges: CustomScheme = {
  scheme: APP_SCHEME,
  privileges: {
    standard: true,
    secure: true,
    supportFetchAPI: true,
    corsEnabled: false,
    stream: true,
    codeCache: true,
    allowServiceWorkers: false,
    bypassCSP: false,
  },
};

/** True for URLs of our own app origin (the WHATWG URL gives custom schemes an opaque origin, so compare parts). */
export function isAppUrl(url: string | undefined): boolean {
  if (!url) return false;
  try {
    const parsed = new URL(url);
    return parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST && parsed.port === '' && parsed.username === '' && parsed.password === '';
  } catch {
    return false;
  }
}

function refusal(status: number, text: string): Response {
  return new Response(`${text}\n`, { status, headers: { ...securityHeaders(), 'Content-Type': 'text/plain; charset=utf-8' } });
}

export async function serveAppRequest(request: { url: string; method: string }, rendererDir: string): Promise<Response> {
  if (request.method !== 'GET' && request.method !== 'HEAD') return refusal(405, 'Method not allowed');
  if (!isAppUrl(request.url)) return refusal(404, 'Not found');
  // Resolve against the raw path: URL parsing would already have folded `..` segments away.
  const rawPath = request.url.slice(`${APP_SCHEME}://${APP_HOST}`.length).split(/[?#]/, 1)[0] || '/';
  const path = resolveAssetPath(rendererDir, rawPath);
  if (path === null) return refusal(403, 'Forbidden');
  try {
    if (!(await stat(path)).isFile()) return refusal(404, 'Not found');
    const body = request.method === 'HEAD' ? null : await readFile(path);
    return new Response(body, { status: 200, headers: { ...securityHeaders(), 'Content-Type': contentTypeOf(path) } });
  } catch {
    return refusal(404, 'Not found');
  }
}

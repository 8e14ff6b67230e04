import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackendDispatcher } from '../../../backend/api/handlers/index.ts';
import { APP_URL, isAppUrl, serveAppRequest } from '../../../electron/shell/app-protocol.ts';
import type { ElectronMain, IpcMainInvokeEvent, WebContents } from '../../../electron/shell/electron-api.ts';
import { isAllowedNavigation, isAllowedRequest, opensDevTools, secureWebPreferences } from '../../../electron/shell/hardening.ts';
import { INVOKE_CHANNEL } from '../../../electron/shell/ipc-channels.ts';
import { registerIpc } from '../../../electron/shell/ipc.ts';
import { isTrustedSender } from '../../../electron/shell/sender.ts';

describe('isTrustedSender', () => {
  const WINDOW = 7;
  it.each([
    ['the main frame of our window on our app', { webContentsId: 7, frameUrl: 'switchyard://app/index.html', isMainFrame: true }, WINDOW, true],
    ['our app with a query and hash', { webContentsId: 7, frameUrl: 'switchyard://app/index.html?x=1#y', isMainFrame: true }, WINDOW, true],
    ['a subframe of our window', { webContentsId: 7, frameUrl: 'switchyard://app/index.html', isMainFrame: false }, WINDOW, false],
    ['another window', { webContentsId: 8, frameUrl: 'switchyard://app/index.html', isMainFrame: true }, WINDOW, false],
    ['no window open', { webContentsId: 7, frameUrl: 'switchyard://app/index.html', isMainFrame: true }, undefined, false],
    ['a web page', { webContentsId: 7, frameUrl: 'https://example.com/', isMainFrame: true }, WINDOW, false],
    ['a file:// page', { webContentsId: 7, frameUrl: 'file:///tmp/index.html', isMainFrame: true }, WINDOW, false],
    ['another host on our scheme', { webContentsId: 7, frameUrl: 'switchyard://evil/index.html', isMainFrame: true }, WINDOW, false],
    ['our host with a port', { webContentsId: 7, frameUrl: 'switchyard://app:80/index.html', isMainFrame: true }, WINDOW, false],
    ['our host with credentials', { webContentsId: 7, frameUrl: 'switchyard://user@app/index.html', isMainFrame: true }, WINDOW, false],
    ['a look-alike scheme', { webContentsId: 7, frameUrl: 'switchyard-x://app/index.html', isMainFrame: true }, WINDOW, false],
    ['a frame with no URL', { webContentsId: 7, frameUrl: undefined, isMainFrame: true }, WINDOW, false],
    ['an unparsable URL', { webContentsId: 7, frameUrl: 'not a url', isMainFrame: true }, WINDOW, false],
  ])('%s → %s', (_name, sender, windowId, trusted) => {
    expect(isTrustedSender(sender, windowId)).toBe(trusted);
  });
});

describe('the switchyard:// protocol handler', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'switchyard-protocol-'));
    mkdirSync(join(root, 'dist', 'assets'), { recursive: true });
    writeFileSync(join(root, 'dist', 'index.html'), '<!doctype html><title>lab</title>');
    writeFileSync(join(root, 'dist', 'assets', 'app.js'), 'export {}');
    writeFileSync(join(root, 'secret.txt'), 'secret');
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it.each([
    ['switchyard://app/index.html', 200, 'text/html; charset=utf-8'],
    ['switchyard://app/', 200, 'text/html; charset=utf-8'],
    ['switchyard://app/assets/app.js', 200, 'text/javascript; charset=utf-8'],
    ['switchyard://app/assets/app.js?v=1', 200, 'text/javascript; charset=utf-8'],
    ['switchyard://app/../secret.txt', 403, undefined],
    ['switchyard://app/%2e%2e/secret.txt', 403, undefined],
    ['switchyard://app/assets%2f..%2f..%2fsecret.txt', 403, undefined],
    ['switchyard://app/..%5csecret.txt', 403, undefined],
    ['switchyard://app/assets/../../secret.txt', 403, undefined],
    ['switchyard://app/missing.js', 404, undefined],
    ['switchyard://app/assets', 404, undefined],
    ['switchyard://other/index.html', 404, undefined],
    ['file:///etc/passwd', 404, undefined],
  ])('%s → %i', async (url, status, type) => {
    const response = await serveAppRequest({ url, method: 'GET' }, join(root, 'dist'));
    expect(response.status).toBe(status);
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    if (type) expect(response.headers.get('content-type')).toBe(type);
    expect(await response.text()).not.toContain('secret');
  });

  it('refuses methods other than GET and HEAD', async () => {
    expect((await serveAppRequest({ url: APP_URL, method: 'POST' }, join(root, 'dist'))).status).toBe(405);
  });
});

describe('window and session hardening', () => {
  it('turns every isolation switch on', () => {
    expect(secureWebPreferences('/app/preload.cjs', { development: false })).toMatchObject({
      preload: '/app/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      devTools: false,
    });
  });

  it.each([
    [true, true],
    [false, false],
  ])('DevTools exist in development %s: %s', (development, devTools) => {
    expect(secureWebPreferences('/app/preload.cjs', { development }).devTools).toBe(devTools);
  });

  it.each([
    [true, { SWITCHYARD_DEVTOOLS: '1' }, true],
    [true, {}, false],
    [false, { SWITCHYARD_DEVTOOLS: '1' }, false],
  ])('development %s with %j opens DevTools: %s', (development, env, opens) => {
    expect(opensDevTools(development, env)).toBe(opens);
  });

  it.each([
    [APP_URL, true],
    ['switchyard://app/assets/app.js', false],
    ['https://example.com/', false],
    ['file:///etc/passwd', false],
    ['javascript:alert(1)', false],
  ])('navigation to %s allowed: %s', (url, allowed) => {
    expect(isAllowedNavigation(url)).toBe(allowed);
  });

  it.each([
    ['switchyard://app/assets/app.js', true],
    ['devtools://devtools/bundled/inspector.html', true],
    ['data:font/ttf;base64,AAAA', true],
    ['https://cdn.example.com/monaco/loader.js', false],
    ['http://127.0.0.1:8080/', false],
    ['ws://127.0.0.1:8080/', false],
    ['file:///etc/passwd', false],
  ])('request to %s allowed: %s', (url, allowed) => {
    expect(isAllowedRequest(url, { development: true })).toBe(allowed);
  });

  it('a packaged app loads no DevTools pages', () => {
    expect(isAllowedRequest('devtools://devtools/bundled/inspector.html', { development: false })).toBe(false);
    expect(isAllowedRequest('switchyard://app/assets/app.js', { development: false })).toBe(true);
  });

  it('every app URL is one isAppUrl accepts', () => {
    expect(isAppUrl(APP_URL)).toBe(true);
  });
});

describe('the IPC handler', () => {
  type Listener = (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown;
  const handlers = new Map<string, Listener>();
  const fakeElectron = { ipcMain: { handle: (channel: string, listener: Listener) => handlers.set(channel, listener) } } as unknown as ElectronMain;
  registerIpc(fakeElectron, createBackendDispatcher({ platform: 'test' }), () => 3);

  const event = (id: number, url: string, main = true): IpcMainInvokeEvent => {
    const top = { url, parent: null };
    return { sender: { id } as WebContents, senderFrame: main ? top : { url, parent: top } };
  };

  it.each([
    ['our window', event(3, APP_URL), 'app.echo', { text: 'hi' }, { ok: true, result: { text: 'hi' } }],
    ['our window, bad arguments', event(3, APP_URL), 'app.echo', { text: 1 }, { ok: false, error: { code: 'invalid-args' } }],
    ['another window', event(4, APP_URL), 'app.echo', { text: 'hi' }, { ok: false, error: { code: 'forbidden' } }],
    ['an iframe in our window', event(3, APP_URL, false), 'app.echo', { text: 'hi' }, { ok: false, error: { code: 'forbidden' } }],
    ['a foreign page in our window', event(3, 'https://example.com/'), 'app.info', {}, { ok: false, error: { code: 'forbidden' } }],
  ])('%s', async (_name, ipcEvent, method, args, expected) => {
    const listener = handlers.get(INVOKE_CHANNEL);
    expect(listener).toBeDefined();
    expect(await listener!(ipcEvent, method, args)).toMatchObject(expected);
  });

  it('reports the electron transport', async () => {
    expect(await handlers.get(INVOKE_CHANNEL)!(event(3, APP_URL), 'app.info', {})).toMatchObject({ ok: true, result: { transport: 'electron' } });
  });
});

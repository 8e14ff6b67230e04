import { isAppUrl } from './app-protocol.ts';
import type { NavigationEvent, Session, WebContents, WebPreferences } from './electron-api.ts';

/**
 * Every window the shell opens uses these: the renderer gets no Node, no Electron, no way around the CSP.
 * DevTools exist only when running from a checkout: a packaged app has none, whatever its environment says.
 */
export function secureWebPreferences(preload: string, { development }: { development: boolean }): WebPreferences {
  return {
    preload,
    devTools: development,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    experimentalFeatures: false,
    navigateOnDragDrop: false,
    spellcheck: false,
    safeDialogs: true,
  };
}

/** The app is one page: it never navigates, and it opens no windows. */
export function isAllowedNavigation(url: string): boolean {
  return isAppUrl(url) && new URL(url).pathname === '/index.html';
}

export function guardWebContents(contents: WebContents): void {
  const refuse = (event: NavigationEvent, url?: string) => {
    if (!isAllowedNavigation(event.url ?? url ?? '')) event.preventDefault();
  };
  contents.on('will-navigate', refuse);
  contents.on('will-redirect', refuse);
  contents.on('will-frame-navigate', refuse);
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

/** No camera, notifications, clipboard-read, downloads or requests to anything but our app. */
export function hardenSession(session: Session, { development }: { development: boolean }): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler?.(() => false);
  session.on('will-download', (event) => event.preventDefault());
  session.webRequest.onBeforeRequest((details, callback) => callback({ cancel: !isAllowedRequest(details.url, { development }) }));
}

/** The lab is offline: the renderer may load from its own scheme (and, in development, DevTools from theirs), nothing else. */
export function isAllowedRequest(url: string, { development }: { development: boolean }): boolean {
  return isAppUrl(url) || url.startsWith('data:') || (development && url.startsWith('devtools://'));
}

/** DevTools open with the window only from a checkout, and only when asked for. */
export function opensDevTools(development: boolean, env: Record<string, string | undefined>): boolean {
  return development && env.SWITCHYARD_DEVTOOLS === '1';
}

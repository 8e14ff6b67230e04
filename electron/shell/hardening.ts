import { isAppUrl } from './app-protocol.ts';
import type { NavigationEvent, Session, WebContents, WebPreferences } from './electron-api.ts';

/** Every window the shell opens uses these: the renderer gets no Node, no Electron, no way around the CSP. */
export function secureWebPreferences(preload: string): WebPreferences {
  return {
    preload,
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
export function hardenSession(session: Session): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler?.(() => false);
  session.on('will-download', (event) => event.preventDefault());
  session.webRequest.onBeforeRequest((details, callback) => callback({ cancel: !isAllowedRequest(details.url) }));
}

/** The lab is offline: the renderer may load from its own scheme (and DevTools from its own), nothing else. */
export function isAllowedRequest(url: string): boolean {
  return isAppUrl(url) || url.startsWith('devtools://') || url.startsWith('data:');
}

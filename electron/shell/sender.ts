import { isAppUrl } from './app-protocol.ts';

/** What the main process knows about whoever sent an IPC message. */
export interface SenderFacts {
  webContentsId: number;
  frameUrl: string | undefined;
  isMainFrame: boolean;
}

/**
 * Only the main frame of our own window, showing our own app, may call the backend: not an
 * iframe, not another window, not a page that somehow navigated elsewhere.
 */
export function isTrustedSender(sender: SenderFacts, windowWebContentsId: number | undefined): boolean {
  return windowWebContentsId !== undefined && sender.webContentsId === windowWebContentsId && sender.isMainFrame && isAppUrl(sender.frameUrl);
}

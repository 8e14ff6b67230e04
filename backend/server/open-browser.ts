import { spawn } from 'node:child_process';

/** The command that opens a URL in the desktop's default browser. */
export function browserOpener(url: string, platform: NodeJS.Platform): [string, string[]] {
  if (platform === 'darwin') return ['open', [url]];
  // `start` treats its first quoted argument as a window title, hence the empty one.
  if (platform === 'win32') return ['cmd', ['/c', 'start', '""', url.replace(/&/g, '^&')]];
  return ['xdg-open', [url]];
}

/** Best effort: a missing opener or no display is not an error, the URL is printed anyway. */
export function openInBrowser(url: string, platform: NodeJS.Platform = process.platform): void {
  const [command, args] = browserOpener(url, platform);
  try {
    const child = spawn(command, args, { stdio: 'ignore', detached: true, windowsVerbatimArguments: platform === 'win32' });
    child.on('error', () => {});
    child.unref();
  } catch {
    // Nothing to do: the caller already printed the URL.
  }
}

import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface RunningServe {
  url: URL;
  origin: string;
  stop(): Promise<void>;
}

/** Starts the real `switchyard serve --port 0` and reads the URL it prints. */
export async function startServe(): Promise<RunningServe> {
  const child: ChildProcess = spawn(process.execPath, [join(repoRoot, 'bin', 'switchyard.mjs'), 'serve', '--port', '0'], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const line = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const timer = setTimeout(() => reject(new Error(`switchyard serve printed no URL within 30 s. stderr:\n${stderr}`)), 30_000);
    lines.once('line', (text) => {
      clearTimeout(timer);
      resolve(text);
    });
    child.once('exit', (code) => reject(new Error(`switchyard serve exited with ${code} before printing a URL. stderr:\n${stderr}`)));
  });
  const url = new URL(line.trim());
  return {
    url,
    origin: url.origin,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

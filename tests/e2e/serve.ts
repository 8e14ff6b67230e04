import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface RunningServe {
  url: URL;
  origin: string;
  dataDir: string;
  stop(): Promise<void>;
}

/** Starts the real `switchyard serve --port 0` and reads the URL it prints. */
export async function startServe(options: { dataDir?: string } = {}): Promise<RunningServe> {
  // Every run of the lab gets a data directory of its own: never the tester's real progress.
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'switchyard-e2e-'));
  const child: ChildProcess = spawn(process.execPath, [join(repoRoot, 'bin', 'switchyard.mjs'), 'serve', '--port', '0'], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, SWITCHYARD_DATA_DIR: dataDir },
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
    dataDir,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

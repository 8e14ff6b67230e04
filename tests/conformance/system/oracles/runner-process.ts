/** A long-lived child process spoken to one request at a time over line-based stdio. */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

export class LineProcess {
  private child: ChildProcessWithoutNullStreams | undefined;
  private buffer = '';
  private waiting: ((lines: string[] | Error) => void) | undefined;
  private lines: string[] = [];
  private queue: Promise<unknown> = Promise.resolve();
  private stderr = '';

  constructor(private readonly command: string, private readonly args: string[] = []) {}

  /** Sends `input` and resolves with the lines up to (not including) the line `end`. */
  request(input: string, timeoutMs: number): Promise<string[]> {
    const job = this.queue.then(() => this.exchange(input, timeoutMs));
    this.queue = job.catch(() => undefined);
    return job;
  }

  async close(): Promise<void> {
    const c = this.child;
    this.child = undefined;
    if (c && c.exitCode === null) {
      c.stdin.end();
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => { c.kill('SIGKILL'); resolve(); }, 2000);
        c.once('exit', () => { clearTimeout(t); resolve(); });
      });
    }
  }

  private start(): ChildProcessWithoutNullStreams {
    const c = spawn(this.command, this.args, { stdio: ['pipe', 'pipe', 'pipe'] });
    c.stdout.setEncoding('utf8');
    c.stdout.on('data', (d: string) => this.onData(d));
    c.stderr.on('data', (d: Buffer) => { this.stderr = (this.stderr + d.toString()).slice(-2000); });
    c.on('exit', (code, signal) => {
      if (this.child === c) this.child = undefined;
      this.waiting?.(new Error(`${this.command} exited (${signal ?? code}): ${this.stderr.trim()}`));
      this.waiting = undefined;
    });
    c.stdin.on('error', () => undefined);
    this.child = c;
    return c;
  }

  private onData(d: string): void {
    this.buffer += d;
    let nl;
    while ((nl = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, nl);
      this.buffer = this.buffer.slice(nl + 1);
      if (line === 'end') {
        const out = this.lines;
        this.lines = [];
        this.waiting?.(out);
        this.waiting = undefined;
      } else this.lines.push(line);
    }
  }

  private exchange(input: string, timeoutMs: number): Promise<string[]> {
    const c = this.child ?? this.start();
    return new Promise<string[]>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting = undefined;
        c.kill('SIGKILL');
        reject(new Error(`${this.command} did not answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting = (r) => {
        clearTimeout(timer);
        if (r instanceof Error) reject(r);
        else resolve(r);
      };
      c.stdin.write(input);
    });
  }
}

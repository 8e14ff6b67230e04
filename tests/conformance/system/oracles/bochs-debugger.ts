/**
 * Bochs's internal debugger spoken to over stdin/stdout: one command (or a batch) at a time,
 * each answered when the next `<bochs:N>` prompt appears. SIGINT stops a running guest and
 * brings the prompt back. Its stdin is a named pipe: with a socket (what Node gives a child)
 * Bochs 2.7 takes the Ctrl-C but never returns to its prompt.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, constants, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';

const PROMPT = /<bochs:(\d+)> $/;

export class BochsDebugger {
  private out = '';
  private prompts = 0;
  private waiter: (() => void) | undefined;
  private exitCode: number | null | undefined;
  private readonly exited: Promise<void>;

  private constructor(private readonly child: ChildProcess, private readonly stdin: number) {
    child.stdout?.setEncoding('utf8');
    child.stderr?.setEncoding('utf8');
    const onData = (d: string) => {
      this.out += d;
      const m = PROMPT.exec(this.out);
      if (m) { this.prompts = Number(m[1]); this.waiter?.(); }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    this.exited = new Promise((resolve) => child.once('exit', (code) => { this.exitCode = code; this.waiter?.(); resolve(); }));
  }

  /** Starts `bochs -q -f config`; `dir` (private to this run) receives the named pipe. */
  static async start(bochs: string, config: string, dir: string, timeoutMs: number): Promise<BochsDebugger> {
    const fifo = join(dir, 'stdin');
    const made = spawnSync('mkfifo', [fifo], { encoding: 'utf8' });
    if (made.status !== 0) throw new Error(`mkfifo ${fifo}: ${made.stderr || made.error?.message}`);
    // Read-write, so that opening does not wait for a reader and the pipe never sees EOF.
    const fd = openSync(fifo, constants.O_RDWR);
    const d = new BochsDebugger(spawn(bochs, ['-q', '-f', config], { stdio: [fd, 'pipe', 'pipe'] }), fd);
    await d.untilPrompt(1, timeoutMs);
    d.out = '';
    return d;
  }

  get hasExited(): boolean { return this.exitCode !== undefined; }

  /** Runs each command in turn; resolves with everything printed up to the last prompt. */
  async commands(cmds: string[], timeoutMs: number): Promise<string> {
    if (cmds.length === 0) return '';
    const target = this.prompts + cmds.length;
    this.out = '';
    writeSync(this.stdin, cmds.join('\n') + '\n');
    await this.untilPrompt(target, timeoutMs);
    const text = this.out;
    this.out = '';
    return text;
  }

  command(cmd: string, timeoutMs = 5000): Promise<string> {
    return this.commands([cmd], timeoutMs);
  }

  /** Starts the guest without waiting for it to stop. */
  continueGuest(): void {
    this.out = '';
    writeSync(this.stdin, 'c\n');
  }

  /** Starts the guest and resolves when Bochs exits; rejects if it returns to its prompt or is still running after `timeoutMs`. */
  async continueUntilExit(timeoutMs: number): Promise<void> {
    this.continueGuest();
    try {
      await this.untilPrompt(this.prompts + 1, timeoutMs);
    } catch (e) {
      if (e instanceof BochsExited) return;
      throw e;
    }
    throw new Error(`the guest stopped at the debugger prompt instead of ending Bochs (output: ${this.out.slice(-300)})`);
  }

  /**
   * Stops a running guest (Ctrl-C) and waits for the prompt. A Ctrl-C that arrives before Bochs
   * has started the `c` it just read is lost, so it is repeated until the prompt comes back.
   */
  async interrupt(timeoutMs: number): Promise<string> {
    const target = this.prompts + 1;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      this.child.kill('SIGINT');
      try {
        await this.untilPrompt(target, 200);
        break;
      } catch (e) {
        if (e instanceof BochsExited || Date.now() > deadline) throw e;
      }
    }
    const text = this.out;
    this.out = '';
    return text;
  }

  /** What the process printed since the last command, for error messages. */
  get pending(): string { return this.out; }

  async close(): Promise<void> {
    if (this.exitCode === undefined) {
      this.child.kill('SIGKILL');
      await this.exited;
    }
    closeSync(this.stdin);
  }

  private untilPrompt(n: number, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { this.waiter = undefined; reject(new Error(`no debugger prompt within ${timeoutMs} ms (output: ${this.out.slice(-300)})`)); }, timeoutMs);
      const check = () => {
        if (this.prompts >= n) { clearTimeout(timer); this.waiter = undefined; resolve(); return; }
        if (this.exitCode !== undefined) { clearTimeout(timer); this.waiter = undefined; reject(new BochsExited(this.exitCode, this.out)); }
      };
      this.waiter = check;
      check();
    });
  }
}

export class BochsExited extends Error {
  constructor(readonly code: number | null, readonly output: string) {
    super(`bochs exited (${code}): ${output.trim().slice(-300)}`);
  }
}

/**
 * Parses `show "param"` output (`name = value` lines, `name = {` … `}` blocks) into a map from
 * dotted path (relative to the shown parameter) to value.
 */
export function parseParams(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const stack: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '}') { stack.pop(); continue; }
    const m = /^([A-Za-z0-9_]+) = (.*)$/.exec(line);
    if (!m) continue;
    if (m[2] === '{') { stack.push(m[1]); continue; }
    out.set([...stack.slice(1), m[1]].join('.'), m[2]);
  }
  return out;
}

/** A minimal GDB remote serial protocol client (no-ack mode), enough to drive QEMU's gdbstub. */
import { connect, type Socket } from 'node:net';

export class GdbRemote {
  private buf = '';
  private pending: ((packet: string) => void) | undefined;
  private packets: string[] = [];
  private closed: Error | undefined;
  private noAck = false;

  private constructor(private readonly sock: Socket) {
    sock.setEncoding('latin1');
    sock.on('data', (d: string) => this.onData(d));
    sock.on('close', () => this.fail(new Error('gdbstub connection closed')));
    sock.on('error', (e) => this.fail(e));
  }

  static connectPath(path: string, timeoutMs: number): Promise<GdbRemote> {
    return new Promise((resolve, reject) => {
      const deadline = Date.now() + timeoutMs;
      const attempt = () => {
        const s = connect({ path });
        s.once('connect', () => resolve(new GdbRemote(s)));
        s.once('error', (e) => {
          s.destroy();
          if (Date.now() > deadline) reject(new Error(`cannot reach the gdbstub at ${path}: ${e.message}`));
          else setTimeout(attempt, 20);
        });
      };
      attempt();
    });
  }

  get isClosed(): boolean { return this.closed !== undefined; }

  async startNoAck(): Promise<void> {
    const r = await this.command('QStartNoAckMode');
    if (r === 'OK') this.noAck = true;
  }

  /** Sends a packet and waits for its reply packet (console 'O' packets are gathered into `console`). */
  async command(data: string, timeoutMs = 5000): Promise<string> {
    this.send(data);
    return this.reply(timeoutMs);
  }

  /** For qRcmd: returns the console output. */
  async monitor(cmd: string, timeoutMs = 5000): Promise<string> {
    this.send('qRcmd,' + Buffer.from(cmd).toString('hex'));
    let out = '';
    for (;;) {
      const p = await this.reply(timeoutMs);
      if (p.startsWith('O') && p !== 'OK') out += Buffer.from(p.slice(1), 'hex').toString('latin1');
      else if (p === 'OK' || p === '') return out;
      else if (/^[0-9a-f]+$/i.test(p)) return out + Buffer.from(p, 'hex').toString('latin1');
      else throw new Error(`qRcmd ${cmd}: unexpected reply ${p}`);
    }
  }

  send(data: string): void {
    if (this.closed) throw this.closed;
    let sum = 0;
    for (let i = 0; i < data.length; i++) sum = (sum + data.charCodeAt(i)) & 0xff;
    this.sock.write(`$${data}#${sum.toString(16).padStart(2, '0')}`, 'latin1');
  }

  interrupt(): void {
    if (!this.closed) this.sock.write(Buffer.of(3));
  }

  reply(timeoutMs: number): Promise<string> {
    const ready = this.packets.shift();
    if (ready !== undefined) return Promise.resolve(ready);
    if (this.closed) return Promise.reject(this.closed);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => { this.pending = undefined; reject(new Error('gdbstub did not reply in time')); }, timeoutMs);
      this.pending = (p) => { clearTimeout(t); if (p === '\u0000closed') reject(this.closed); else resolve(p); };
    });
  }

  close(): void {
    this.sock.destroy();
  }

  private fail(e: Error): void {
    if (this.closed) return;
    this.closed = e;
    const p = this.pending;
    this.pending = undefined;
    p?.('\u0000closed');
  }

  private onData(d: string): void {
    this.buf += d;
    for (;;) {
      while (this.buf.length && (this.buf[0] === '+' || this.buf[0] === '-')) this.buf = this.buf.slice(1);
      const start = this.buf.indexOf('$');
      if (start < 0) { this.buf = ''; return; }
      const end = this.buf.indexOf('#', start);
      if (end < 0 || end + 2 >= this.buf.length) return;
      const packet = this.buf.slice(start + 1, end);
      this.buf = this.buf.slice(end + 3);
      if (!this.noAck) this.sock.write('+');
      const p = this.pending;
      if (p) { this.pending = undefined; p(packet); } else this.packets.push(packet);
    }
  }
}

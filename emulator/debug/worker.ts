/**
 * The debugger behind messages, for a Web Worker (or any message channel): pure, it is given a
 * `post` function and is fed each incoming message. Requests are `{ id, method, params }`; each
 * gets exactly one reply `{ id, ok: true, result }` or `{ id, ok: false, error }`. Values are
 * wire-safe: 64-bit numbers travel as `0x…` strings, memory as Uint8Array, snapshots as a JSON
 * header plus an ArrayBuffer listed for transfer.
 *
 * `continue` runs in slices and yields between them, so a `pause` message sent meanwhile stops a
 * runaway program (the reply to `continue` then has reason 'paused').
 */
import { GPR_NAMES } from '../arch/registers.ts';
import { SEGMENT_DISPLAY_ORDER } from '../arch/segments.ts';
import { assemble } from '../asm/index.ts';
import { Machine, type Mode } from '../machine.ts';
import type { CheckId } from './checks.ts';
import { Debugger, type BreakpointSpec, type Stop, type WatchpointSpec } from './debugger.ts';
import { ExpressionError } from './expr.ts';
import { restoreSnapshot, validateHeader, type Snapshot, type SnapshotHeader } from './snapshot.ts';
import { SourceMap } from './source-map.ts';
import { fpuView } from './fpu-state.ts';

export type Post = (message: unknown, transfer?: ArrayBuffer[]) => void;

export interface Request {
  id: number;
  method: string;
  params?: Record<string, unknown>;
}

export type Reply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: { message: string; column?: number } };

export interface LoadParams {
  source: string;
  bits?: 32 | 64;
  mode?: Mode;
  ramSize?: number;
  /** Where the code section goes (default 0x10000); `.data` follows 32 KiB later. */
  codeAddress?: number;
  /** Initial registers by name, as 0x-prefixed hex strings (rsp defaults to 0x80000, rip to the code). */
  registers?: Record<string, string>;
  deliverExceptions?: boolean;
  checkpointInterval?: number;
  maxBytes?: number;
  checks?: Partial<Record<CheckId, boolean>>;
}

const SLICE = 200_000;

/** Makes a value safe for any message channel: bigints become hex strings. */
export function toWire(value: unknown): unknown {
  if (typeof value === 'bigint') return `0x${BigInt.asUintN(64, value).toString(16)}`;
  if (Array.isArray(value)) return value.map(toWire);
  if (value instanceof Uint8Array || value instanceof ArrayBuffer) return value;
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = toWire(v);
    return out;
  }
  return value;
}

class BadRequest extends Error {}

const yieldToEvents = (): Promise<void> => {
  const timer = (globalThis as unknown as { setTimeout?: (f: () => void, ms: number) => unknown }).setTimeout;
  return new Promise((resolve) => (timer ? timer(resolve, 0) : resolve()));
};

/** `restore` with `sources`: a new session on a fresh machine, with the program's own line map (a case handed over by another component). */
export interface RestoreParams {
  sources: { address: number; line: number }[];
  checks?: Partial<Record<CheckId, boolean>>;
}

/**
 * Builds the empty machine a snapshot restored with `sources` goes into. A machine's translation
 * hook is not part of a snapshot: whoever made the snapshot knows which hook its machine had.
 */
export type MachineFor = (header: SnapshotHeader, params: Record<string, unknown>) => Machine;

export class DebugService {
  private dbg: Debugger | null = null;
  private pauseRequested = false;

  constructor(private readonly post: Post, private readonly machineFor: MachineFor = (header) => new Machine({ ramSize: header.ramSize })) {}

  /** Feed every incoming message here. */
  async onMessage(message: unknown): Promise<void> {
    const req = message as Partial<Request>;
    const id = typeof req?.id === 'number' ? req.id : -1;
    try {
      if (typeof req?.method !== 'string') throw new BadRequest('expected a message { id, method, params }');
      const { result, transfer } = await this.handle(req.method, req.params ?? {});
      this.post({ id, ok: true, result: toWire(result) } satisfies Reply, transfer);
    } catch (e) {
      const error: { message: string; column?: number } = { message: e instanceof Error ? e.message : String(e) };
      if (e instanceof ExpressionError) error.column = e.column;
      this.post({ id, ok: false, error } satisfies Reply);
    }
  }

  private get session(): Debugger {
    if (!this.dbg) throw new BadRequest('nothing is loaded: send "load" or "restore" first');
    return this.dbg;
  }

  private async handle(method: string, p: Record<string, unknown>): Promise<{ result: unknown; transfer?: ArrayBuffer[] }> {
    const num = (name: string, fallback?: number): number => {
      const v = p[name] ?? fallback;
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new BadRequest(`${method}: params.${name} must be a number`);
      return v;
    };
    const out = (result: unknown) => ({ result });
    switch (method) {
      case 'load': return out(this.load(p as unknown as LoadParams));
      case 'restore': {
        const header = validateHeader(p.header, p.data instanceof ArrayBuffer ? p.data.byteLength : -1);
        const snap: Snapshot = { header, data: p.data as ArrayBuffer };
        if (p.sources !== undefined) return out(this.startFrom(snap, p as unknown as RestoreParams));
        if (!this.dbg || this.dbg.machine.memory.size !== header.ramSize) {
          this.dbg?.dispose();
          const machine = new Machine({ ramSize: header.ramSize });
          restoreSnapshot(machine, snap);
          this.dbg = new Debugger(machine, { sources: this.dbg?.sources ?? undefined });
          return out(this.state());
        }
        this.dbg.restore(snap);
        return out(this.state());
      }
      case 'snapshot': {
        const s = this.session.snapshot();
        return { result: s, transfer: [s.data] };
      }
      case 'state': return out(this.state());
      case 'step': return out(this.session.step());
      case 'stepOver': return out(this.session.stepOver());
      case 'stepOut': return out(this.session.stepOut());
      case 'stepBack': return out(this.session.stepBack());
      case 'reverseContinue': return out(this.session.reverseContinue());
      case 'goto': return out(this.session.goto(num('position')));
      case 'runToLine': return out(this.session.runToLine(num('line')));
      case 'continue': return out(await this.continueSliced(num('maxSteps', 50_000_000)));
      case 'pause':
        this.pauseRequested = true;
        return out(null);
      case 'addBreakpoint': return out(this.session.addBreakpoint(p as unknown as BreakpointSpec));
      case 'removeBreakpoint': return out(this.session.removeBreakpoint(num('id')));
      case 'addWatchpoint': return out(this.session.addWatchpoint(p as unknown as WatchpointSpec));
      case 'removeWatchpoint': return out(this.session.removeWatchpoint(num('id')));
      case 'breakpoints': return out({ breakpoints: this.session.listBreakpoints(), watchpoints: this.session.listWatchpoints() });
      case 'events': return out(this.session.events.slice(num('from', 0)));
      case 'warnings': return out(this.session.warnings.slice(num('from', 0)));
      case 'checks': return out(this.session.checks);
      case 'setCheck': {
        if (typeof p.enabled !== 'boolean') throw new BadRequest('setCheck: params.enabled must be a boolean');
        this.session.setCheck(p.id as CheckId, p.enabled);
        return out(this.session.checks);
      }
      case 'setRegister': {
        if (typeof p.name !== 'string' || typeof p.value !== 'string' || !/^0x[0-9a-f]+$/i.test(p.value)) {
          throw new BadRequest('setRegister: params.name must be a register name and params.value a 0x-prefixed hex string');
        }
        return out(this.session.setRegister(p.name, BigInt(p.value)));
      }
      case 'writeMemory': {
        if (!(p.bytes instanceof Uint8Array)) throw new BadRequest('writeMemory: params.bytes must be a Uint8Array');
        return out(this.session.writeMemory(num('address'), p.bytes));
      }
      case 'readMemory': {
        const length = num('length');
        if (length < 0 || length > 1 << 20) throw new BadRequest('readMemory: params.length must be between 0 and 1 MiB');
        return out(this.session.machine.read(num('address'), length));
      }
      default:
        throw new BadRequest(`unknown method '${method}'`);
    }
  }

  private async continueSliced(maxSteps: number): Promise<Stop | (Omit<Stop, 'reason'> & { reason: 'paused' })> {
    const dbg = this.session;
    this.pauseRequested = false;
    const begin = dbg.position;
    let first = true;
    for (;;) {
      const left = maxSteps - (dbg.position - begin);
      const stop = dbg.continue(Math.min(SLICE, left), first);
      first = false;
      if (stop.reason !== 'limit' || left <= SLICE) return stop;
      await yieldToEvents();
      if (this.pauseRequested) {
        this.pauseRequested = false;
        return { ...stop, reason: 'paused' };
      }
    }
  }

  private startFrom(snap: Snapshot, p: RestoreParams): unknown {
    if (!Array.isArray(p.sources) || !p.sources.every((e) => Number.isInteger(e?.address) && Number.isInteger(e?.line))) {
      throw new BadRequest('restore: params.sources must be an array of { address, line } integers');
    }
    const machine = this.machineFor(snap.header, p as unknown as Record<string, unknown>);
    restoreSnapshot(machine, snap);
    this.dbg?.dispose();
    this.dbg = new Debugger(machine, { sources: new SourceMap(p.sources), ...(p.checks !== undefined ? { checks: p.checks } : {}) });
    return this.state();
  }

  private load(p: LoadParams): unknown {
    if (typeof p.source !== 'string') throw new BadRequest('load: params.source must be the program text');
    const code = p.codeAddress ?? 0x10000;
    const result = assemble(p.source, { bits: p.bits ?? 64, sectionBases: { '.text': code, '.data': code + 0x8000 } });
    if (!result.ok) return { ok: false, diagnostics: result.diagnostics };
    const machine = new Machine({ ramSize: p.ramSize ?? 1024 * 1024, mode: p.mode ?? (p.bits === 32 ? 'protected32' : 'long64') });
    machine.deliverExceptions = p.deliverExceptions ?? false;
    for (const s of result.sections) machine.load(s.base, s.bytes);
    machine.setRegister('rsp', 0x80000n);
    machine.setRegister('rip', BigInt(code));
    for (const [name, value] of Object.entries(p.registers ?? {})) {
      if (typeof value !== 'string' || !/^0x[0-9a-f]+$/i.test(value)) throw new BadRequest(`load: params.registers.${name}: expected a 0x-prefixed hex string`);
      machine.setRegister(name, BigInt(value));
    }
    this.dbg?.dispose();
    const options: ConstructorParameters<typeof Debugger>[1] = { sources: SourceMap.fromAssembly(result) };
    if (p.checkpointInterval !== undefined) options.checkpointInterval = p.checkpointInterval;
    if (p.maxBytes !== undefined) options.maxBytes = p.maxBytes;
    if (p.checks !== undefined) options.checks = p.checks;
    this.dbg = new Debugger(machine, options);
    return { ok: true, diagnostics: result.diagnostics, symbols: result.symbols, state: this.state() };
  }

  private state(): unknown {
    const dbg = this.session;
    const m = dbg.machine;
    const cpu = m.cpu;
    const registers: Record<string, bigint> = {};
    for (const name of [...GPR_NAMES, 'rip', 'rflags', ...SEGMENT_DISPLAY_ORDER, 'cr0', 'cr2', 'cr3', 'cr4', 'efer', 'fsbase', 'gsbase']) {
      registers[name] = m.getRegister(name);
    }
    const line = dbg.sources?.line(cpu.rip);
    return {
      position: dbg.position, start: dbg.start, end: dbg.end, registers, cpl: cpu.cpl, codeBits: cpu.codeBits,
      gdtr: { base: BigInt.asUintN(64, BigInt(cpu.gdtrBase)), limit: cpu.gdtrLimit },
      idtr: { base: BigInt.asUintN(64, BigInt(cpu.idtrBase)), limit: cpu.idtrLimit },
      tr: { selector: cpu.tr.selector, base: BigInt.asUintN(64, BigInt(cpu.tr.base)), limit: cpu.tr.limit },
      fpu: fpuView(cpu),
      ...(line !== undefined ? { line } : {}),
    };
  }
}


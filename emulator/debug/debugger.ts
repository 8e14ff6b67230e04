/**
 * The debugger engine: stepping (step, step over, step out, run to line, continue), breakpoints
 * on addresses and source lines with conditions, watchpoints on memory writes and on registers,
 * time travel (step back, run backwards, jump to any recorded position), the event log and the
 * debugging checks. Pure: runs in a Web Worker and in Node.
 */
import type { FaultInfo, Machine } from '../machine.ts';
import { ACCESS_READ } from '../memory/linear.ts';
import { Analyzer } from './analyzer.ts';
import { CHECKS, type CheckId, type Warning } from './checks.ts';
import type { DebugEvent } from './events.ts';
import { parseExpression, type ParsedExpression } from './expr.ts';
import { Recorder, type AdvanceResult, type RecorderOptions } from './recorder.ts';
import { isRegisterName, readRegister } from './registers.ts';
import { restoreSnapshot, takeSnapshot, type Snapshot } from './snapshot.ts';
import type { SourceMap } from './source-map.ts';

export interface DebuggerOptions extends RecorderOptions {
  /** Line ↔ address map (SourceMap.fromAssembly(result)). */
  sources?: SourceMap;
  /** Event log and debugging checks (default on). */
  analysis?: boolean;
  /** Checks to turn off or on by id. */
  checks?: Partial<Record<CheckId, boolean>>;
}

export type BreakpointSpec = { address: bigint | number; condition?: string } | { line: number; condition?: string };

export interface Breakpoint {
  id: number;
  address: number;
  line?: number;
  condition?: string;
  enabled: boolean;
  hits: number;
}

export type WatchpointSpec =
  | { kind: 'memory'; address: bigint | number; length: number; access?: 'write' | 'read' | 'access' }
  | { kind: 'register'; register: string; mode: 'changed' }
  | { kind: 'register'; register: string; mode: 'equals'; value: string };

export interface Watchpoint {
  id: number;
  spec: WatchpointSpec;
  hits: number;
}

export type StopKind = 'step' | 'breakpoint' | 'watchpoint' | 'limit' | 'hlt' | 'fault' | 'triple-fault' | 'error' | 'start' | 'position';

export interface Stop {
  reason: StopKind;
  /** The machine's position in the recording (instruction attempts since the recording began). */
  position: number;
  rip: bigint;
  line?: number;
  breakpoint?: number;
  watchpoint?: number;
  fault?: FaultInfo;
  message?: string;
}

type StopDetail = Omit<Stop, 'position' | 'rip' | 'line'>;

interface InternalBreakpoint extends Breakpoint {
  parsed?: ParsedExpression;
}

type StopCheck = () => boolean;

const MASK64 = (1n << 64n) - 1n;

export class Debugger {
  readonly recorder: Recorder;
  readonly sources: SourceMap | null;
  readonly analyzer: Analyzer | null;
  private readonly breakpoints = new Map<number, InternalBreakpoint>();
  private readonly byAddress = new Map<number, InternalBreakpoint[]>();
  private readonly watchpoints = new Map<number, Watchpoint & { parsed?: ParsedExpression; last?: bigint }>();
  private memoryWatches: { id: number; start: number; end: number; read: boolean; write: boolean }[] = [];
  /** True while the debugger itself reads memory (conditions, checks), so read watchpoints ignore it. */
  private ownReads = false;
  private nextId = 1;
  private writeHit = 0;
  private temporary: StopCheck | null = null;
  private lastStop: StopDetail | null = null;

  constructor(readonly machine: Machine, options: DebuggerOptions = {}) {
    this.recorder = new Recorder(machine, options);
    this.sources = options.sources ?? null;
    this.analyzer = options.analysis === false ? null : new Analyzer(machine, this.sources, (read) => this.recorder.quietly(read));
    if (this.analyzer && options.checks) Object.assign(this.analyzer.enabled, options.checks);
    this.recorder.inspector = this.inspectFn;
    this.recorder.onWrite = this.writeFn;
    if (this.analyzer) {
      const a = this.analyzer;
      this.recorder.exceptions = {
        raised: (f) => {
          if (this.recording()) a.raised(f);
        },
        handled: (f, outcome) => {
          if (!this.recording()) return;
          this.ownReads = true;
          a.handled(f, outcome);
          this.ownReads = false;
        },
      };
    }
  }

  /** True while the attempt now executing extends the recording (not a replay). */
  private recording(): boolean {
    return this.recorder.recordingAttempt;
  }

  get position(): number {
    return this.recorder.position;
  }

  get start(): number {
    return this.recorder.start;
  }

  get end(): number {
    return this.recorder.end;
  }

  get events(): readonly DebugEvent[] {
    return this.analyzer?.events ?? [];
  }

  get warnings(): readonly Warning[] {
    return this.analyzer?.warnings ?? [];
  }

  get checks() {
    return CHECKS.map((c) => ({ ...c, enabled: this.analyzer?.enabled[c.id] ?? false }));
  }

  setCheck(id: CheckId, enabled: boolean): void {
    if (!CHECKS.some((c) => c.id === id)) throw new RangeError(`unknown check '${id}'`);
    if (this.analyzer) this.analyzer.enabled[id] = enabled;
  }

  // Breakpoints and watchpoints

  addBreakpoint(spec: BreakpointSpec): Breakpoint {
    let address: number;
    let line: number | undefined;
    if ('line' in spec) {
      if (!this.sources) throw new Error('breakpoint on a line: the debugger has no source listing');
      const l = this.sources.nearestLine(spec.line);
      const a = l === undefined ? undefined : this.sources.address(l);
      if (l === undefined || a === undefined) throw new RangeError(`line ${spec.line}: no instruction at or after this line`);
      address = a;
      line = l;
    } else {
      address = Number(BigInt.asIntN(64, BigInt(spec.address)));
      line = this.sources?.line(address);
    }
    const bp: InternalBreakpoint = { id: this.nextId++, address, enabled: true, hits: 0 };
    if (line !== undefined) bp.line = line;
    if (spec.condition !== undefined) {
      bp.parsed = parseExpression(spec.condition, isRegisterName);
      bp.condition = spec.condition;
    }
    this.breakpoints.set(bp.id, bp);
    const list = this.byAddress.get(address) ?? [];
    list.push(bp);
    this.byAddress.set(address, list);
    return publicBreakpoint(bp);
  }

  removeBreakpoint(id: number): boolean {
    const bp = this.breakpoints.get(id);
    if (!bp) return false;
    this.breakpoints.delete(id);
    const list = this.byAddress.get(bp.address)!.filter((b) => b.id !== id);
    if (list.length) this.byAddress.set(bp.address, list);
    else this.byAddress.delete(bp.address);
    return true;
  }

  setBreakpointEnabled(id: number, enabled: boolean): void {
    const bp = this.breakpoints.get(id);
    if (!bp) throw new RangeError(`no breakpoint ${id}`);
    bp.enabled = enabled;
  }

  listBreakpoints(): Breakpoint[] {
    return [...this.breakpoints.values()].map(publicBreakpoint);
  }

  addWatchpoint(spec: WatchpointSpec): Watchpoint {
    const id = this.nextId++;
    const w: Watchpoint & { parsed?: ParsedExpression; last?: bigint } = { id, spec, hits: 0 };
    if (spec.kind === 'memory') {
      if (!Number.isInteger(spec.length) || spec.length <= 0) throw new RangeError(`watchpoint length ${spec.length}: expected a positive integer`);
      const linear = Number(BigInt.asIntN(64, BigInt(spec.address)));
      let start: number;
      try {
        start = this.recorder.quietly(() => this.machine.cpu.mem.physical(linear, ACCESS_READ));
      } catch {
        throw new RangeError(`watchpoint address 0x${BigInt.asUintN(64, BigInt(spec.address)).toString(16)} is not mapped`);
      }
      const access = spec.access ?? 'write';
      if (!['write', 'read', 'access'].includes(access)) throw new RangeError(`watchpoint access '${access}': expected write, read or access`);
      this.memoryWatches.push({ id, start, end: start + spec.length, read: access !== 'write', write: access !== 'read' });
      this.updateReadObserver();
    } else {
      if (!isRegisterName(spec.register)) throw new RangeError(`unknown register '${spec.register}'`);
      if (spec.mode === 'equals') w.parsed = parseExpression(spec.value, isRegisterName);
      w.last = readRegister(this.machine, spec.register);
    }
    this.watchpoints.set(id, w);
    return { id, spec, hits: 0 };
  }

  removeWatchpoint(id: number): boolean {
    this.memoryWatches = this.memoryWatches.filter((m) => m.id !== id);
    this.updateReadObserver();
    return this.watchpoints.delete(id);
  }

  /** Data reads are observed only while a read watchpoint exists (observing them costs the read TLB). */
  private updateReadObserver(): void {
    const mem = this.machine.cpu.mem;
    const wanted = this.memoryWatches.some((w) => w.read);
    if (wanted && mem.readObserver === null) {
      mem.readObserver = (physical, size) => {
        if (this.ownReads) return;
        for (const w of this.memoryWatches) if (w.read && physical < w.end && physical + size > w.start) this.writeHit = w.id;
      };
    } else if (!wanted && mem.readObserver !== null) mem.readObserver = null;
  }

  listWatchpoints(): Watchpoint[] {
    return [...this.watchpoints.values()].map((w) => ({ id: w.id, spec: w.spec, hits: w.hits }));
  }

  // The per-position hook

  private onWrite(physical: number, size: number): void {
    if (this.recording()) this.analyzer?.write(physical, size);
    for (const w of this.memoryWatches) if (w.write && physical < w.end && physical + size > w.start) this.writeHit = w.id;
  }

  private readonly writeFn = (physical: number, size: number): void => this.onWrite(physical, size);

  private readonly inspectFn = (position: number, recording: boolean, mayStop: boolean): boolean => this.inspect(position, recording, mayStop);

  private inspect(position: number, recording: boolean, mayStop: boolean): boolean {
    const a = this.analyzer;
    this.ownReads = true;
    if (recording && a !== null) a.finish(position);
    const hit = this.evaluateStops(mayStop);
    if (!hit && recording && a !== null) a.before(position);
    this.ownReads = false;
    return hit;
  }

  /** Evaluates breakpoints and watchpoints at the current state; records why it stops. Watch state advances either way. */
  private evaluateStops(mayStop: boolean): boolean {
    if (this.writeHit === 0 && this.byAddress.size === 0 && this.temporary === null && this.watchpoints.size === this.memoryWatches.length) return false;
    let stop: StopDetail | null = null;
    if (this.writeHit !== 0) {
      const id = this.writeHit;
      this.writeHit = 0;
      stop = { reason: 'watchpoint', watchpoint: id };
    }
    if (this.watchpoints.size > this.memoryWatches.length) {
      for (const w of this.watchpoints.values()) {
        if (w.spec.kind !== 'register') continue;
        const v = readRegister(this.machine, w.spec.register);
        const fired = w.spec.mode === 'changed' ? v !== w.last : v === this.evaluate(w.parsed!) && v !== w.last;
        w.last = v;
        if (fired && stop === null) stop = { reason: 'watchpoint', watchpoint: w.id };
      }
    }
    if (!mayStop) return false;
    if (stop === null && this.byAddress.size > 0) {
      const list = this.byAddress.get(this.machine.cpu.rip);
      if (list) {
        for (const bp of list) {
          if (bp.enabled && (bp.parsed === undefined || this.evaluate(bp.parsed) !== 0n)) {
            stop = { reason: 'breakpoint', breakpoint: bp.id };
            break;
          }
        }
      }
    }
    if (stop === null && this.temporary !== null && this.temporary()) stop = { reason: 'step' };
    if (stop === null) return false;
    this.lastStop = stop;
    return true;
  }

  private evaluate(e: ParsedExpression): bigint {
    const m = this.machine;
    try {
      return e.evaluate({
        register: (name) => readRegister(m, name),
        memory: (address, size) => {
          const cpu = m.cpu;
          const linear = Number(BigInt.asIntN(64, address & MASK64));
          let v = 0n;
          for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(cpu.mem.read8(linear + i));
          return v;
        },
      });
    } catch {
      // An unreadable address makes the condition false rather than stopping the program.
      return 0n;
    }
  }

  // Moving forward

  private describe(reason: StopKind, extra: Partial<Stop> = {}): Stop {
    const rip = this.machine.cpu.getRip();
    const stop: Stop = { reason, position: this.position, rip, ...extra };
    const line = this.sources?.line(this.machine.cpu.rip);
    if (line !== undefined) stop.line = line;
    return stop;
  }

  private forward(limit: number, temporary: StopCheck | null, resume = true): Stop {
    this.temporary = temporary;
    this.lastStop = null;
    // With nothing to check per instruction, the recorder runs on the CPU's fast path.
    const idle = this.analyzer === null && this.byAddress.size === 0 && this.watchpoints.size === 0 && temporary === null;
    this.recorder.inspector = idle ? null : this.inspectFn;
    // Idle, nothing looks at single writes either (no analysis, no memory watch): the recorder may save whole pages.
    this.recorder.onWrite = idle ? null : this.writeFn;
    let r: AdvanceResult;
    try {
      r = this.recorder.advance(this.position + Math.max(0, Math.floor(limit)), resume);
    } finally {
      this.temporary = null;
      this.recorder.inspector = this.inspectFn;
      this.recorder.onWrite = this.writeFn;
    }
    const a = this.analyzer;
    if (a !== null && this.position === this.end) this.recorder.quietly(() => a.finish(this.position));
    const s = this.lastStop as StopDetail | null;
    if (r.stop === 'inspector' && s !== null) {
      if (s.breakpoint !== undefined) this.breakpoints.get(s.breakpoint)!.hits++;
      if (s.watchpoint !== undefined) this.watchpoints.get(s.watchpoint)!.hits++;
      return this.describe(s.reason, s);
    }
    if (r.stop === 'target') return this.describe(temporary === null && limit > 1 ? 'limit' : 'step');
    const extra: Partial<Stop> = {};
    if (r.result?.fault) extra.fault = r.result.fault;
    if (r.result?.message) extra.message = r.result.message;
    return this.describe(r.stop === 'inspector' ? 'step' : r.stop, extra);
  }

  /** Executes one instruction attempt (a faulting attempt includes its delivery). */
  step(): Stop {
    return this.forward(1, null);
  }

  /**
   * Runs until a breakpoint, a watchpoint, the machine stopping, or `maxSteps` attempts. `resume`
   * (default) skips a breakpoint at the current position; pass false to go on with a run that was
   * cut into slices, so a breakpoint exactly at the cut still stops it.
   */
  continue(maxSteps = 10_000_000, resume = true): Stop {
    return this.forward(maxSteps, null, resume);
  }

  /** Steps over a CALL (runs until it returns to the next instruction with the stack back where it was); otherwise one step. */
  stepOver(maxSteps = 10_000_000): Stop {
    const cpu = this.machine.cpu;
    let insn;
    try {
      insn = this.recorder.quietly(() => this.machine.cache.fetch(cpu, cpu.rip));
    } catch {
      return this.step();
    }
    if (insn.mnemonic !== 'CALL') return this.step();
    const ret = cpu.rip + insn.length;
    const sp = cpu.sp();
    return this.forward(maxSteps, () => cpu.rip === ret && cpu.sp() >= sp);
  }

  /** Runs until the current function returns: the first RET that leaves the stack above where it is now. */
  stepOut(maxSteps = 10_000_000): Stop {
    const m = this.machine;
    const cpu = m.cpu;
    const sp = cpu.sp();
    let previousWasRet = false;
    const fetchIsRet = () => {
      try {
        return m.cache.fetch(cpu, cpu.rip).mnemonic === 'RET';
      } catch {
        return false;
      }
    };
    previousWasRet = this.recorder.quietly(fetchIsRet);
    return this.forward(maxSteps, () => {
      const done = previousWasRet && cpu.sp() > sp;
      previousWasRet = fetchIsRet();
      return done;
    });
  }

  /** Runs until the instruction at `address` is about to execute (or another stop). */
  runTo(address: bigint | number, maxSteps = 10_000_000): Stop {
    const target = Number(BigInt.asIntN(64, BigInt(address)));
    const cpu = this.machine.cpu;
    return this.forward(maxSteps, () => cpu.rip === target);
  }

  runToLine(line: number, maxSteps = 10_000_000): Stop {
    const l = this.sources?.nearestLine(line);
    const address = l === undefined ? undefined : this.sources!.address(l);
    if (address === undefined) throw new RangeError(`line ${line}: no instruction at or after this line`);
    return this.runTo(address, maxSteps);
  }

  // Moving backward

  /** Resets the register watchpoints' "previous value" after a jump in time, so a jump is not a change. */
  private settle(): void {
    this.writeHit = 0;
    for (const w of this.watchpoints.values()) if (w.spec.kind === 'register') w.last = readRegister(this.machine, w.spec.register);
  }

  /** Goes to any recorded position. */
  goto(position: number): Stop {
    const r = this.recorder.goto(position);
    this.settle();
    const extra: Partial<Stop> = {};
    if (r.result?.fault) extra.fault = r.result.fault;
    return this.describe(position === this.start ? 'start' : 'position', extra);
  }

  stepBack(): Stop {
    if (this.position <= this.start) return this.describe('start');
    this.recorder.goto(this.position - 1);
    this.settle();
    return this.describe(this.position === this.start ? 'start' : 'step');
  }

  /** Runs backwards to the latest earlier position where a breakpoint or watchpoint fires, or to the start of the recording. */
  reverseContinue(): Stop {
    this.writeHit = 0;
    for (const w of this.watchpoints.values()) if (w.spec.kind === 'register') w.last = undefined;
    let found: StopDetail | null = null;
    let lastPosition = -1;
    const at = this.recorder.findBackward((p) => {
      // Register watchpoints compare with the previous position: none before the first of a scan.
      if (p !== lastPosition + 1) for (const w of this.watchpoints.values()) if (w.spec.kind === 'register') w.last = readRegister(this.machine, w.spec.register);
      lastPosition = p;
      this.lastStop = null;
      this.ownReads = true;
      const hit = this.evaluateStops(true);
      this.ownReads = false;
      if (hit && this.lastStop) found = this.lastStop;
      return hit;
    });
    const stop = found as StopDetail | null;
    if (at === null || stop === null) {
      this.recorder.goto(this.start);
      this.settle();
      return this.describe('start');
    }
    this.settle();
    return this.describe(stop.reason, stop);
  }

  // Editing the machine

  /**
   * Call after changing registers or memory directly: the recorded future no longer follows from
   * the state, so the history is discarded and recording restarts here.
   */
  stateEdited(): void {
    this.analyzer?.truncate(this.position);
    this.analyzer?.resetState();
    this.recorder.reset(this.position);
    this.settle();
  }

  /** Sets a register (Machine.setRegister names) at the current position; the recorded future is discarded. */
  setRegister(name: string, value: bigint): Stop {
    this.machine.setRegister(name, value);
    this.stateEdited();
    return this.describe('position');
  }

  /** Writes bytes at a physical address at the current position; the recorded future is discarded. */
  writeMemory(address: bigint | number, bytes: Uint8Array): Stop {
    this.machine.load(address, bytes);
    this.stateEdited();
    return this.describe('position');
  }

  /** The whole machine as a transferable snapshot (see snapshot.ts). */
  snapshot(): Snapshot {
    return takeSnapshot(this.machine);
  }

  /** Loads a snapshot into the machine; the recording restarts from it. */
  restore(snapshot: Snapshot): Stop {
    restoreSnapshot(this.machine, snapshot);
    this.stateEdited();
    return this.describe('position');
  }

  /** Stops observing the machine. */
  dispose(): void {
    this.recorder.detach();
    this.machine.exceptionObserver = null;
    this.machine.cpu.mem.readObserver = null;
  }
}

function publicBreakpoint(bp: InternalBreakpoint): Breakpoint {
  const out: Breakpoint = { id: bp.id, address: bp.address, enabled: bp.enabled, hits: bp.hits };
  if (bp.line !== undefined) out.line = bp.line;
  if (bp.condition !== undefined) out.condition = bp.condition;
  return out;
}

import type { LabWorkerClient } from '../machine/lab-worker.ts';
import type { Replay } from './replay.ts';
import { annotateStack, decodeGdt, decodeIdt, decodeTss64, readField, readQwords, type DescriptorRow, type StackSlot } from './machine-view.ts';
import { parseFpu, type FpuRegisters } from './fpu-registers.ts';
import { saveAreaSize, type SaveAreaForm, type SaveAreaKind } from './save-area.ts';

export type { Replay };

export interface MachineState {
  position: number;
  start: number;
  end: number;
  registers: Record<string, bigint>;
  cpl: number;
  codeBits: number;
  line?: number;
  gdtr: { base: string; limit: number };
  idtr: { base: string; limit: number };
  tr: { selector: number; base: string; limit: number };
  fpu?: FpuRegisters;
}

export type MemoryViewKind = 'bytes' | SaveAreaKind;

/** A piece of memory the learner asked to see, read again at every stop. */
export interface MemoryWatch {
  id: number;
  label: string;
  address: bigint;
  kind: MemoryViewKind;
  form: SaveAreaForm;
  bytes?: Uint8Array;
  /** The bytes at the stop before, for highlighting what changed. */
  previous?: Uint8Array;
  error?: string;
}

const BYTES_VIEW_LENGTH = 128;
const watchLength = (kind: MemoryViewKind): number => (kind === 'bytes' ? BYTES_VIEW_LENGTH : saveAreaSize(kind));

export interface DebugEventView {
  kind: string;
  position: number;
  rip: string;
  text: string;
  line?: number;
  stack?: string;
  stackPointer?: string;
  frame?: string[];
  vector?: number;
  errorCode?: number;
}

export interface WarningView {
  check: string;
  position: number;
  line?: number;
  message: string;
}

export interface StructView {
  name: string;
  address: number;
  fields: { name: string; offset: number; value: bigint; changed: boolean }[];
}

interface WireStop {
  reason: string;
  position: number;
  rip: string;
  line?: number;
  message?: string;
}

const STACK_SLOTS = 10;

const toBig = (value: unknown) => BigInt(value as string);

function parseState(raw: Record<string, unknown>): MachineState {
  const registers = Object.fromEntries(Object.entries(raw.registers as Record<string, string>).map(([k, v]) => [k, toBig(v)]));
  return { ...(raw as unknown as MachineState), registers, fpu: parseFpu(raw.fpu) };
}

function describeEvent(e: Record<string, unknown>): string {
  switch (e.kind) {
    case 'exception': return `${e.name as string}${e.errorCode !== undefined ? ` (error code ${(e.errorCode as number).toString(16)})` : ''}: ${e.message as string} → ${e.outcome as string}`;
    case 'privilege': return `CPL ${e.from as number} → ${e.to as number} (${e.cause as string})`;
    case 'return': return `${e.mnemonic as string}: CPL ${e.fromCpl as number} → ${e.toCpl as number}, to ${e.target as string}`;
    case 'triple-fault': return 'triple fault: the CPU shuts down';
    case 'swapgs': return 'SWAPGS';
    default: return `${e.kind as string}${e.mnemonic ? ` (${e.mnemonic as string})` : ''}`;
  }
}

/**
 * One debugging session in the lab worker: loads a program (a replayed case or the sandbox),
 * steps it both ways, and after every stop reads back what the panels show. Lines here are the
 * learner's own (the replay's prefix lines are subtracted).
 */
export class DebugSession {
  state = $state<MachineState>();
  previous = $state<Record<string, bigint>>({});
  stack = $state<StackSlot[]>([]);
  structs = $state<StructView[]>([]);
  tables = $state<{ gdt: DescriptorRow[]; idt: DescriptorRow[]; tss: DescriptorRow[] }>({ gdt: [], idt: [], tss: [] });
  events = $state<DebugEventView[]>([]);
  warnings = $state<WarningView[]>([]);
  stopReason = $state<string>();
  message = $state<string>();
  busy = $state(false);
  replay = $state<Replay>();
  previousFpu = $state<FpuRegisters>();
  /** The register file was in use at some stop since the program was loaded: the FPU view opens. */
  fpuSeen = $state(false);
  watches = $state<MemoryWatch[]>([]);
  #nextWatch = 1;
  #code = { start: 0, end: 0 };
  /** Breakpoint ids by line: bookkeeping for the worker, never shown, so not reactive. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  #breakpoints = new Map<number, number>();

  constructor(private readonly worker: LabWorkerClient) {}

  /** Physical memory at the current position, for panels that decode it themselves (page tables). */
  readMemory = (address: bigint, length: number): Promise<Uint8Array> => this.worker.debug<Uint8Array>('readMemory', { address: Number(address), length });

  get line(): number | undefined {
    const line = this.state?.line;
    if (line === undefined || !this.replay) return undefined;
    const own = line - this.replay.lineOffset;
    return own >= 1 ? own : undefined;
  }

  async load(replay: Replay, breakpoints: number[], checks: Record<string, boolean>): Promise<boolean> {
    this.replay = replay;
    this.#breakpoints.clear();
    if (replay.case) return this.#restoreCase(replay, replay.case, breakpoints, checks);
    const loaded = await this.worker.debug<{ ok: boolean; diagnostics: { line: number; message: string }[]; state?: Record<string, unknown>; symbols?: { name: string; value: string }[] }>('load', {
      source: replay.program,
      bits: replay.bits,
      mode: replay.mode,
      ramSize: replay.ramSize,
      codeAddress: replay.codeAddress,
      registers: replay.registers,
      checks,
    });
    if (!loaded.ok) {
      const first = loaded.diagnostics[0];
      this.message = first ? `line ${first.line - replay.lineOffset}: ${first.message}` : 'the program did not assemble';
      this.state = undefined;
      return false;
    }
    this.#code = { start: replay.codeAddress, end: replay.codeAddress + replay.program.length * 8 };
    this.stopReason = 'start';
    this.message = undefined;
    this.previous = {};
    this.previousFpu = undefined;
    this.fpuSeen = false;
    this.watches = this.watches.map((w) => ({ ...w, bytes: undefined, previous: undefined }));
    await this.setBreakpoints(breakpoints);
    await this.refresh();
    return true;
  }

  /** An exercise case: the graded machine restored as it was when the run started, the learner's lines at their graded addresses. */
  async #restoreCase(replay: Replay, snapshot: NonNullable<Replay['case']>, breakpoints: number[], checks: Record<string, boolean>): Promise<boolean> {
    const data = Uint8Array.from(atob(snapshot.data), (c) => c.charCodeAt(0)).buffer;
    try {
      await this.worker.debug('restore', { header: snapshot.header, sources: snapshot.sources, mode: replay.mode, checks }, { data });
    } catch (error) {
      this.message = error instanceof Error ? error.message : String(error);
      this.state = undefined;
      return false;
    }
    const addresses = snapshot.sources.map((s) => s.address);
    this.#code = { start: Math.min(...addresses), end: Math.max(...addresses) + 16 };
    this.stopReason = 'start';
    this.message = undefined;
    this.previous = {};
    this.previousFpu = undefined;
    this.fpuSeen = false;
    this.watches = this.watches.map((w) => ({ ...w, bytes: undefined, previous: undefined }));
    await this.setBreakpoints(breakpoints);
    await this.refresh();
    return true;
  }

  async setBreakpoints(lines: number[]): Promise<void> {
    if (!this.replay) return;
    const offset = this.replay.lineOffset;
    for (const [line, id] of this.#breakpoints) {
      if (!lines.includes(line)) {
        await this.worker.debug('removeBreakpoint', { id });
        this.#breakpoints.delete(line);
      }
    }
    for (const line of lines) {
      if (this.#breakpoints.has(line)) continue;
      try {
        const bp = await this.worker.debug<{ id: number }>('addBreakpoint', { line: line + offset });
        this.#breakpoints.set(line, bp.id);
      } catch {
        // A breakpoint on a line with no instruction at or after it stays in the gutter only.
      }
    }
  }

  async #act(method: string, params?: Record<string, unknown>): Promise<void> {
    if (!this.state || this.busy) return;
    this.busy = true;
    try {
      const before = this.state;
      const stop = await this.worker.debug<WireStop>(method, params);
      this.previous = before.registers;
      this.previousFpu = before.fpu;
      this.stopReason = stop.reason;
      this.message = stop.message;
      await this.refresh();
    } catch (error) {
      this.message = error instanceof Error ? error.message : String(error);
    } finally {
      this.busy = false;
    }
  }

  step = () => this.#act('step');
  stepOver = () => this.#act('stepOver');
  stepOut = () => this.#act('stepOut');
  stepBack = () => this.#act('stepBack');
  reverseContinue = () => this.#act('reverseContinue');
  continue = () => this.#act('continue');
  goto = (position: number) => this.#act('goto', { position });
  runToLine = (line: number) => this.#act('runToLine', { line: line + (this.replay?.lineOffset ?? 0) });

  async stop(): Promise<void> {
    const outcome = await this.worker.stop();
    if (outcome === 'terminated') {
      this.busy = false;
      this.state = undefined;
      this.message = 'The program did not stop when asked: the machine was reset.';
    }
  }

  async refresh(): Promise<void> {
    const state = parseState(await this.worker.debug<Record<string, unknown>>('state'));
    this.state = state;
    if (state.fpu?.inUse) this.fpuSeen = true;
    const rsp = state.registers.rsp;
    const stackBytes = await this.worker.debug<Uint8Array>('readMemory', { address: Number(rsp), length: STACK_SLOTS * 8 }).catch(() => new Uint8Array());
    const events = (await this.worker.debug<Record<string, unknown>[]>('events', { from: 0 })).filter((e) => (e.position as number) <= state.position);
    this.events = events.map((e) => ({
      kind: e.kind as string,
      position: e.position as number,
      rip: e.rip as string,
      text: describeEvent(e),
      stack: e.stack as string | undefined,
      stackPointer: e.stackPointer as string | undefined,
      frame: e.frame as string[] | undefined,
      vector: e.vector as number | undefined,
      errorCode: e.errorCode as number | undefined,
    }));
    const lastException = [...this.events].reverse().find((e) => e.kind === 'exception' && e.frame);
    const frame = lastException?.frame && lastException.frame.length > 0 ? this.#frameNames(lastException) : undefined;
    this.stack = annotateStack(rsp, readQwords(stackBytes, STACK_SLOTS), this.#code, frame);
    const offset = this.replay?.lineOffset ?? 0;
    this.warnings = (await this.worker.debug<WarningView[]>('warnings', { from: 0 }))
      .filter((w) => w.position <= state.position)
      .map((w) => ({ ...w, line: w.line === undefined ? undefined : w.line - offset }));
    const structs: StructView[] = [];
    for (const region of this.replay?.structs ?? []) {
      const size = Math.max(...region.fields.map((f) => f.offset + f.size), 0);
      const bytes = await this.worker.debug<Uint8Array>('readMemory', { address: region.address, length: size });
      const old = this.structs.find((s) => s.name === region.name);
      structs.push({
        name: region.name,
        address: region.address,
        fields: region.fields.map((f) => {
          const value = readField(bytes, f.offset, f.size);
          const was = old?.fields.find((o) => o.name === f.name)?.value;
          return { name: f.name, offset: f.offset, value, changed: was !== undefined && was !== value };
        }),
      });
    }
    this.structs = structs;
    this.watches = await Promise.all(this.watches.map((w) => this.#readWatch(w, true)));
    this.tables = await this.#readTables(state);
  }

  /** Adds a memory view (a hex dump or a decoded save area) that is read again at every stop. */
  async addWatch(label: string, address: bigint, kind: MemoryViewKind, form: SaveAreaForm): Promise<void> {
    const watch = await this.#readWatch({ id: this.#nextWatch++, label, address, kind, form }, false);
    this.watches = [...this.watches, watch];
  }

  removeWatch(id: number): void {
    this.watches = this.watches.filter((w) => w.id !== id);
  }

  /** Shows a memory view as another kind (or form), keeping what it showed before for the highlighting. */
  async changeWatch(id: number, change: Partial<Pick<MemoryWatch, 'kind' | 'form'>>): Promise<void> {
    const watch = this.watches.find((w) => w.id === id);
    if (!watch) return;
    const updated = await this.#readWatch({ ...watch, ...change }, false);
    this.watches = this.watches.map((w) => (w.id === id ? { ...updated, previous: watch.previous } : w));
  }

  async #readWatch(watch: MemoryWatch, stepped: boolean): Promise<MemoryWatch> {
    const previous = stepped ? watch.bytes : watch.previous;
    try {
      const bytes = await this.worker.debug<Uint8Array>('readMemory', { address: Number(watch.address), length: watchLength(watch.kind) });
      return { ...watch, bytes, previous, error: undefined };
    } catch (error) {
      return { ...watch, bytes: undefined, previous, error: error instanceof Error ? error.message : String(error) };
    }
  }

  /** The descriptor tables the CPU points at, decoded; a table that cannot be read shows as empty. */
  async #readTables(state: MachineState): Promise<{ gdt: DescriptorRow[]; idt: DescriptorRow[]; tss: DescriptorRow[] }> {
    const longMode = (state.registers.efer & 0x400n) !== 0n;
    const read = (base: string, length: number) =>
      this.worker.debug<Uint8Array>('readMemory', { address: Number(BigInt(base)), length }).catch(() => new Uint8Array());
    const gdt = decodeGdt(await read(state.gdtr.base, Math.min(state.gdtr.limit + 1, 64 * 8)), longMode).filter((row) => row.text !== 'null' || row.index === 0);
    const idt = decodeIdt(await read(state.idtr.base, Math.min(state.idtr.limit + 1, 256 * (longMode ? 16 : 8))), longMode);
    const tss = state.tr.selector !== 0 && longMode ? decodeTss64(await read(state.tr.base, 0x68)) : [];
    return { gdt: gdt.length > 1 ? gdt : [], idt, tss };
  }

  /** The frame the CPU pushed, lowest address first: error code (for the vectors that have one), RIP, CS, RFLAGS, RSP, SS. */
  #frameNames(event: DebugEventView): { at: bigint; names: string[] } | undefined {
    const words = event.frame!;
    const base = ['RIP', 'CS', 'RFLAGS', 'RSP', 'SS'];
    const names = words.length > base.length ? [`error code (vector ${event.vector})`, ...base] : base.slice(0, words.length);
    if (event.stackPointer === undefined) return undefined;
    return { at: toBig(event.stackPointer), names };
  }
}

/**
 * Time travel by journal and replay. While the machine runs forward past the end of the recording,
 * every memory write's old bytes are journaled (tagged with the position that made them), and
 * every `interval` positions the CPU state is checkpointed. Going back restores memory by undoing
 * the journal down to the nearest checkpoint at or before the target, restores that checkpoint's
 * CPU state, and re-executes forward: the CPU is deterministic (RDTSC derives from the step
 * count), so the replay reproduces each state exactly.
 *
 * A position counts instruction attempts: position k is the state before the k-th attempt, and an
 * attempt that faults into a handler is one attempt (its delivery belongs to it).
 *
 * Two ways of running forward: with the machine's before-instruction hook (replay, breakpoints,
 * the debugger's checks), and, when recording with nothing to inspect, in bursts on the run loop's
 * fast path, positions then being derived from the CPU's step count (each delivered fault adds the
 * attempt that raised it; from the first such fault the burst goes on with the hook, exactly).
 */
import type { Delivery } from '../ops/exceptions.ts';
import type { CpuFault } from '../arch/faults.ts';
import type { ExceptionObserver, Machine, RunResult } from '../machine.ts';
import { PAGE_SIZE } from '../memory/physical.ts';
import { Journal } from './journal.ts';
import { Slab } from './slab.ts';
import { captureMachine, restoreMachine, type MachineState } from './cpu-state.ts';
import { checkpointCpu, restoreCheckpoint, type CpuCheckpoint } from './checkpoint.ts';

export interface RecorderOptions {
  /** Positions between checkpoints (default 32768). A step back replays at most this many attempts. */
  checkpointInterval?: number;
  /** Upper bound on the bytes the history may use (default 64 MiB); the oldest history is dropped past it. */
  maxBytes?: number;
}

/** Called at each position before its attempt; returning true stops there (never for the first attempt of a resumed run). */
export type Inspector = (position: number, recording: boolean, mayStop: boolean) => boolean;

export type RecorderStop = 'target' | 'inspector' | 'hlt' | 'fault' | 'triple-fault' | 'error';

export interface AdvanceResult {
  stop: RecorderStop;
  result?: RunResult;
}

/** A checkpoint's cost beyond its values: the chunk, its machine fields, and a BigInt per MSR entry. */
const CHECKPOINT_OVERHEAD = 512;
const MAP_ENTRY_BYTES = 64;

function sizeOfCheckpoint(c: CpuCheckpoint): number {
  let entries = 0;
  for (const m of c.maps) entries += m.length;
  return c.values.byteLength + entries * MAP_ENTRY_BYTES + CHECKPOINT_OVERHEAD;
}

const SEEN_SLOTS = 512;
/** Sizes are 1..8: (address, size) keys are the address times this, plus the size. */
const SIZE_KEY = 16;
/** Journaled writes to one page within a chunk, while recording freely, before the whole page is saved instead. */
const COVER_AFTER = 32;

/** A page's bytes before the write at `position`: every later write to it in the chunk is undone by putting them back. */
interface PageSnapshot {
  position: number;
  page: number;
  bytes: Uint8Array;
}
/** Budget for one call of Machine.run in hook mode: the target stops it long before. */
const RUN_BUDGET = 2 ** 52;

/** A checkpoint, and the journal entries from `first` up to the next chunk's `first`. */
class Chunk {
  /**
   * Taken before the machine ran from here (history reset): work the machine does before the first
   * instruction (an interrupt raised meanwhile) is not journaled, so the checkpoint is taken again
   * at the first instruction.
   */
  fresh = false;
  /** Pages saved whole, in the order of their positions. */
  readonly pages: PageSnapshot[] = [];

  constructor(readonly start: number, public cpu: CpuCheckpoint, public machine: MachineState, readonly first: number) {}
}

export class Recorder {
  readonly interval: number;
  readonly maxBytes: number;
  /** The machine's current position. */
  position = 0;
  /** The furthest position recorded. */
  end = 0;
  /** How the recording ended when its last attempt stopped the machine (HLT, a fault that was not delivered, ...). */
  terminal: AdvanceResult | null = null;
  /** Hook for the debugger: breakpoints, watchpoints, events and checks. */
  inspector: Inspector | null = null;
  /** Sees every memory write (physical address, size) as it happens, recording or replaying. */
  onWrite: ((physical: number, size: number) => void) | null = null;
  /** Sees the exceptions the run loop handles (the recorder sits in front of the machine's observer). */
  exceptions: ExceptionObserver | null = null;
  /** Times the oldest history was dropped to respect `maxBytes`. */
  dropped = 0;

  private chunks: Chunk[] = [];
  /** The newest chunk, where recording appends. */
  private tail!: Chunk;
  private journal!: Journal;
  private recording = false;
  private target = 0;
  private attached = false;
  /** Set before each Machine.run: its first attempt is where the run resumes, never a stop. */
  private resuming = false;
  // Burst mode: positions are posBase + (cpu.steps - stepsBase) + faults delivered - (1 while a trap is being delivered).
  private bursting = false;
  private posBase = 0;
  private stepsBase = 0;
  private extra = 0;
  private trapDelivery = 0;
  private lastRaisedWasTrap = false;
  private chainStart = true;
  /** Whether the exception that stopped a burst came from a trap (which already counted its step); null when none did. */
  private stopTrap: boolean | null = null;
  /**
   * While the debugger looks at the machine (fetching an instruction, reading a frame), a page walk
   * may set accessed bits: those writes are undone afterwards, and the TLBs flushed so that the
   * instruction's own accesses walk and set them as they would have.
   */
  private inspecting = false;
  private sideEffects: number[] = [];
  /**
   * The (address, size) pairs journaled since the newest checkpoint, by hash. Going back always
   * undoes a chunk's writes down to its checkpoint, so only the first write of the same bytes in a
   * chunk matters: a loop storing to one place journals it once per chunk, not once per store.
   */
  private readonly seenKey = new Float64Array(SEEN_SLOTS);
  private readonly seenChunk = new Float64Array(SEEN_SLOTS).fill(-1);
  private chunkSerial = 0;
  /**
   * Per physical page, writes journaled in the newest chunk, or -1 once the page is saved whole.
   * A saved page needs no journal for the rest of the chunk: during a burst the observer lets the
   * write TLB take it, so a loop storing to a few pages runs at full speed after its first stores.
   */
  private pageWrites = new Map<number, number>();
  private snapshotBytes = 0;
  /** The checkpoints' sizes, summed as chunks come and go. */
  private checkpointBytes = 0;
  private readonly slab = new Slab();

  constructor(readonly machine: Machine, options: RecorderOptions = {}) {
    this.interval = Math.max(1, Math.floor(options.checkpointInterval ?? 32768));
    this.maxBytes = Math.max(64 * 1024, options.maxBytes ?? 64 * 1024 * 1024);
    this.reset();
  }

  /** The earliest position still reachable. */
  get start(): number {
    return this.chunks[0].start;
  }

  /** Bytes the history uses now. */
  get historyBytes(): number {
    return this.bytes;
  }

  private get bytes(): number {
    return this.journal.bytes + this.checkpointBytes + this.snapshotBytes;
  }

  /** True while the attempt now executing extends the recording (false during a replay). */
  get recordingAttempt(): boolean {
    return this.recording;
  }

  /** Forgets all history: the current state becomes position `position` (default: keep the number). */
  reset(position = this.position): void {
    this.position = position;
    this.end = position;
    this.terminal = null;
    this.chunks = [];
    this.snapshotBytes = 0;
    this.checkpointBytes = 0;
    this.journal = new Journal(this.maxBytes);
    this.newChunk();
    this.tail.fresh = true;
  }

  private newChunk(): void {
    const c = new Chunk(this.position, checkpointCpu(this.machine.cpu), captureMachine(this.machine), this.journal.length);
    this.chunks.push(c);
    this.checkpointBytes += sizeOfCheckpoint(c.cpu);
    this.tail = c;
    this.chunkSerial++;
    this.pageWrites.clear();
    this.enforceBound();
  }

  private retakeCheckpoint(): void {
    const tail = this.tail;
    tail.fresh = false;
    this.checkpointBytes -= sizeOfCheckpoint(tail.cpu);
    tail.cpu = checkpointCpu(this.machine.cpu);
    this.checkpointBytes += sizeOfCheckpoint(tail.cpu);
    tail.machine = captureMachine(this.machine);
  }

  /** Drops whole chunks from the front while over the bound, always keeping the newest. */
  private enforceBound(): void {
    while (this.bytes > this.maxBytes && this.chunks.length > 1) {
      const oldest = this.chunks.shift()!;
      this.snapshotBytes -= oldest.pages.length * PAGE_SIZE;
      this.checkpointBytes -= sizeOfCheckpoint(oldest.cpu);
      this.journal.dropBefore(this.chunks[0].first);
      this.dropped++;
    }
  }

  private attach(): void {
    if (this.attached) return;
    this.attached = true;
    this.machine.beforeInstruction = this.beforeInstruction;
    this.machine.cpu.mem.writeObserver = (physical, size) => this.observe(physical, size);
    this.machine.exceptionObserver = this.exceptionObserver;
  }

  /** Stops observing the machine (it then runs at full speed, unrecorded). */
  detach(): void {
    if (!this.attached) return;
    this.attached = false;
    this.machine.beforeInstruction = null;
    this.machine.cpu.mem.writeObserver = null;
    this.machine.exceptionObserver = null;
  }

  /** Called by the run loop before every attempt (hook mode): bookkeeping, then whether to stop there. */
  private readonly beforeInstruction = (): boolean => {
    const k = this.position;
    const mayStop = !this.resuming;
    this.resuming = false;
    if (mayStop && k >= this.target) return true;
    const inspector = this.inspector;
    if (inspector !== null) {
      this.inspecting = true;
      const stop = inspector(k, k === this.end, mayStop);
      this.inspecting = false;
      if (this.sideEffects.length > 0) this.undoSideEffects();
      if (stop && mayStop) return true;
    }
    if (k === this.end) {
      if (k - this.tail.start >= this.interval || this.bytes > this.maxBytes) this.newChunk();
      else if (this.tail.fresh) this.retakeCheckpoint();
      this.recording = true;
      this.end = k + 1;
    } else this.recording = false;
    this.position = k + 1;
    return false;
  };

  private readonly exceptionObserver: ExceptionObserver = {
    raised: (fault: CpuFault) => {
      // The first fault of a chain is the attempt's own; the rest come from its delivery.
      if (this.chainStart) {
        this.chainStart = false;
        this.lastRaisedWasTrap = fault.isTrap;
        // A trap already counted its step: while it is delivered, its writes belong to the position before.
        if (this.bursting && fault.isTrap) this.trapDelivery = 1;
      }
      this.exceptions?.raised(fault);
    },
    handled: (fault: CpuFault, outcome: Delivery | 'error') => {
      this.chainStart = true;
      this.stopTrap = outcome === 'delivered' ? null : this.lastRaisedWasTrap;
      const exceptions = this.exceptions;
      if (exceptions !== null) this.quietly(() => exceptions.handled(fault, outcome));
      if (this.bursting) {
        this.trapDelivery = 0;
        if (outcome === 'delivered' && !fault.isTrap) {
          // The faulting attempt did not count as a step: from here on, count with the hook.
          this.extra++;
          this.position = this.burstPosition();
          this.bursting = false;
          this.resuming = false;
          this.machine.beforeInstruction = this.beforeInstruction;
        }
      }
    },
  };

  private burstPosition(): number {
    return this.posBase + (this.machine.cpu.steps - this.stepsBase) + this.extra - this.trapDelivery;
  }

  /** Runs `look` (reads of the machine by the debugger) without leaving any write behind. */
  quietly<T>(look: () => T): T {
    this.attach();
    const was = this.inspecting;
    this.inspecting = true;
    try {
      return look();
    } finally {
      this.inspecting = was;
      if (!was && this.sideEffects.length > 0) this.undoSideEffects();
    }
  }

  private undoSideEffects(): void {
    const mem = this.machine.memory;
    const e = this.sideEffects;
    for (let i = e.length - 4; i >= 0; i -= 4) {
      const physical = e[i];
      const pn = Math.floor(physical / PAGE_SIZE);
      const off = physical - pn * PAGE_SIZE;
      const page = mem.page(pn);
      for (let b = 0; b < e[i + 1]; b++) page[off + b] = b < 4 ? e[i + 2] >>> (8 * b) : e[i + 3] >>> (8 * (b - 4));
    }
    this.sideEffects = [];
    this.machine.cpu.mem.flush();
  }

  private observe(physical: number, size: number): boolean {
    if (this.inspecting) {
      const mem = this.machine.memory;
      const pn = Math.floor(physical / PAGE_SIZE);
      const off = physical - pn * PAGE_SIZE;
      const page = mem.page(pn);
      let lo = 0;
      let hi = 0;
      for (let b = 0; b < size; b++) {
        if (b < 4) lo |= page[off + b] << (8 * b);
        else hi |= page[off + b] << (8 * (b - 4));
      }
      this.sideEffects.push(physical, size, lo, hi);
      return false;
    }
    if (this.recording) {
      const journal = this.journal;
      const mem = this.machine.memory;
      const pn = Math.floor(physical / PAGE_SIZE);
      const off = physical - pn * PAGE_SIZE;
      const position = this.bursting ? this.burstPosition() : this.position - 1;
      // Writes tagged before the chunk's checkpoint are never undone (see Chunk.fresh): they cover nothing.
      if (position >= this.tail.start) {
        if (this.onWrite === null) {
          const count = this.pageWrites.get(pn) ?? 0;
          if (count < 0) return this.bursting;
          if (count >= COVER_AFTER && this.bursting) {
            this.tail.pages.push({ position, page: pn, bytes: this.slab.copyBytes(mem.page(pn)) });
            this.snapshotBytes += PAGE_SIZE;
            this.pageWrites.set(pn, -1);
            return true;
          }
          this.pageWrites.set(pn, count + 1);
        }
        const key = physical * SIZE_KEY + size;
        const h = (physical ^ (physical >>> 9)) & (SEEN_SLOTS - 1);
        if (this.seenKey[h] === key && this.seenChunk[h] === this.chunkSerial) {
          if (this.onWrite !== null) this.onWrite(physical, size);
          return false;
        }
        this.seenKey[h] = key;
        this.seenChunk[h] = this.chunkSerial;
      }
      if (size === 8 || size === 4) {
        const view = mem.view(pn);
        journal.append(position, physical, size, view.getInt32(off, true), size === 8 ? view.getInt32(off + 4, true) : 0);
      } else {
        const page = mem.page(pn);
        let lo = 0;
        let hi = 0;
        for (let b = 0; b < size; b++) {
          if (b < 4) lo |= page[off + b] << (8 * b);
          else hi |= page[off + b] << (8 * (b - 4));
        }
        journal.append(position, physical, size, lo, hi);
      }
    }
    if (this.onWrite !== null) this.onWrite(physical, size);
    return false;
  }

  /**
   * Runs forward until `target` (absolute position), the inspector stops it, or the machine stops
   * (HLT, a fault not delivered, triple fault, emulator error). Already-recorded positions replay.
   * With `resume` the current position is never a stop (continuing from a breakpoint); without it,
   * it is checked like any other (continuing a run that was cut into slices).
   */
  advance(target: number, resume = true): AdvanceResult {
    this.attach();
    const m = this.machine;
    let first = true;
    while (this.position < target) {
      if (this.terminal !== null && this.position === this.end) return this.terminal;
      this.resuming = first ? resume : false;
      first = false;
      const recordingFreely = this.position === this.end && this.inspector === null;
      if (recordingFreely && (this.position - this.tail.start >= this.interval || this.bytes > this.maxBytes)) this.newChunk();
      // Replaying with nothing to inspect runs in bursts too, up to the end of the recording.
      const replayingFreely = this.position < this.end && this.inspector === null;
      const room = replayingFreely
        ? Math.min(target, this.end) - this.position
        : Math.min(target - this.position, this.interval - (this.position - this.tail.start));
      let result: RunResult;
      if ((recordingFreely && room > 1 && !this.tail.fresh) || (replayingFreely && room > 1)) {
        // A run cut by its budget stops before the machine's work between instructions (timer
        // ticks, interrupt delivery), where the hook stops after it: so a burst leaves its last
        // position to the hook, and every stop and checkpoint sees the same kind of boundary.
        this.target = target;
        this.posBase = this.position;
        this.stepsBase = m.cpu.steps;
        this.extra = 0;
        this.trapDelivery = 0;
        this.stopTrap = null;
        this.bursting = true;
        this.recording = recordingFreely;
        m.beforeInstruction = null;
        try {
          result = m.run({ maxInstructions: room - 1 });
        } finally {
          m.beforeInstruction = this.beforeInstruction;
          // Pages saved whole were written through the TLB unobserved: from here on every write is seen again.
          m.cpu.mem.flushWrites();
        }
        if (this.bursting) {
          this.bursting = false;
          this.position = this.burstPosition();
          // The attempt that stopped the run counts; only HLT and traps counted it as a step.
          const stopped = result.reason === 'fault' || result.reason === 'triple-fault' || result.reason === 'error';
          if (stopped && this.stopTrap !== true) this.position++;
        }
        if (this.end < this.position) this.end = this.position;
      } else {
        // One position at a time while recording freely (then bursts resume), else up to the target.
        this.target = recordingFreely ? this.position + 1 : target;
        result = m.run({ maxInstructions: RUN_BUDGET });
      }
      switch (result.reason) {
        case 'breakpoint':
          if (this.position >= target) return { stop: 'target', result };
          if (this.position >= this.target) continue;
          return { stop: 'inspector', result };
        case 'limit':
          continue;
        default: {
          const stop: AdvanceResult = { stop: result.reason, result };
          if (this.position === this.end) this.terminal = stop;
          return stop;
        }
      }
    }
    return { stop: 'target' };
  }

  /** Moves the machine to any recorded position between `start` and `end`. */
  goto(target: number): AdvanceResult {
    if (!Number.isInteger(target) || target < this.start || target > this.end) {
      throw new RangeError(`position ${target} is outside the recording (${this.start}..${this.end})`);
    }
    if (target < this.position) this.rewindTo(target);
    if (target === this.position) return { stop: 'target' };
    const saved = this.inspector;
    this.inspector = null;
    try {
      return this.advance(target);
    } finally {
      this.inspector = saved;
    }
  }

  /** Restores the checkpoint at or before `target` (memory undone, CPU state loaded); the caller replays from there. */
  rewindTo(target: number): void {
    let ci = this.chunks.length - 1;
    while (ci > 0 && this.chunks[ci].start > target) ci--;
    const dest = this.chunks[ci];
    const mem = this.machine.memory;
    // Undo, newest first, every write between the checkpoint and the current position.
    for (let j = this.chunks.length - 1; j >= ci; j--) {
      const c = this.chunks[j];
      if (c.start >= this.position) continue;
      const end = j + 1 < this.chunks.length ? this.chunks[j + 1].first : this.journal.length;
      const from = this.journal.indexOf(this.position, c.first, end);
      // Entries tagged before the chunk's start predate its checkpoint (see Chunk.fresh).
      const low = this.journal.indexOf(c.start, c.first, from);
      // Saved pages go back in the same newest-first order as the entries (a page is saved after its own earlier entries).
      let p = c.pages.length - 1;
      while (p >= 0 && c.pages[p].position >= this.position) p--;
      const putBack = (snapshot: PageSnapshot) => {
        mem.page(snapshot.page).set(snapshot.bytes);
        if (mem.watched[snapshot.page]) mem.wrote(snapshot.page);
      };
      for (let i = from - 1; i >= low; i--) {
        while (p >= 0 && c.pages[p].position >= this.journal.position(i)) putBack(c.pages[p--]);
        const pn = this.journal.undo(i, mem);
        if (mem.watched[pn]) mem.wrote(pn);
      }
      while (p >= 0) putBack(c.pages[p--]);
    }
    restoreCheckpoint(this.machine.cpu, dest.cpu);
    restoreMachine(this.machine, dest.machine);
    this.position = dest.start;
  }

  /**
   * Walks backwards from the current position to the latest earlier position where `hit` holds,
   * replaying one checkpoint interval at a time. `hit` is called at every position of each
   * scanned interval in increasing order (so it may compare with the position before). Leaves the
   * machine at the position found and returns it, or returns null with the machine at the start.
   */
  findBackward(hit: (position: number) => boolean): number | null {
    // Candidates are (from, high]: `from` itself is the top of the next interval down.
    let high = this.position - 1;
    while (high > this.start) {
      let ci = this.chunks.length - 1;
      while (ci > 0 && this.chunks[ci].start >= high) ci--;
      const from = this.chunks[ci].start;
      this.rewindTo(from);
      let found: number | null = null;
      const saved = this.inspector;
      this.inspector = (p) => {
        if (hit(p) && p > from) found = p;
        return false;
      };
      try {
        this.advance(high);
      } finally {
        this.inspector = saved;
      }
      if (hit(high)) found = high;
      if (found !== null) {
        this.goto(found);
        return found;
      }
      high = from;
    }
    this.goto(this.start);
    return null;
  }
}

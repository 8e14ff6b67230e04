/** Loading a submission into a machine and running one case: reset only what a case touches, run, capture the final state. */
import type { PreparedExercise, Region } from './exercise.ts';
import type { Scope } from './expr.ts';
import { Prng } from './prng.ts';
import type { AsmOutput, EnginePorts, MachinePort, RunOutcome, TimerSetup } from './ports.ts';
import { isRegister, registerOf, REGISTERS, type RegisterName } from './schema.ts';
import { readField, writeField } from './structs.ts';

export interface LoadedCode {
  asm: AsmOutput;
  /** Bytes placed in memory for the trampolines that jump to the learner's entry points. */
  trampolines: { addr: number; bytes: Uint8Array }[];
  symbols: Record<string, number>;
}

export type Inputs = Map<string, bigint>;

export interface CaseState {
  inputs: Inputs;
  initialRegs: Record<RegisterName, bigint>;
  initialFields: Map<string, bigint>;
  outcome: RunOutcome;
  finalRegs: Record<RegisterName, bigint>;
  cpl: number;
  /** The registers when the learner's code was first entered (through a trampoline or at an entry label), when it was. */
  entryRegs?: Record<RegisterName, bigint>;
  regionBytes: Map<string, Uint8Array>;
  /** Address and length of every write, in pairs, when a check needs them. */
  writes?: number[];
}

/** A case's random inputs; in protected32, register inputs keep only the 32 bits the registers have. */
export function drawInputs(px: PreparedExercise, seed: bigint, caseIndex: number): Inputs {
  const rng = Prng.forCase(seed, caseIndex);
  return new Map(px.inputs.map(({ name, generator }) => {
    const value = generator.draw(rng);
    return [name, px.bits === 32 && isRegister(name) ? value & 0xffffffffn : value];
  }));
}

/** `jmp rel32` from each trampoline slot to the learner's entry point. */
export function trampolineBytes(px: PreparedExercise, symbols: Record<string, number>): LoadedCode['trampolines'] {
  return [...px.trampolines].map(([name, addr]) => {
    const rel = (symbols[name] - (addr + 5)) | 0;
    return { addr, bytes: Uint8Array.of(0xe9, rel & 0xff, (rel >> 8) & 0xff, (rel >> 16) & 0xff, (rel >>> 24) & 0xff) };
  });
}

function readRegs(machine: MachinePort): Record<RegisterName, bigint> {
  const out = ZERO_REGS();
  for (const reg of REGISTERS) out[reg] = machine.getReg(reg);
  return out;
}

const ZERO_REGS = (): Record<RegisterName, bigint> => Object.fromEntries(REGISTERS.map((r) => [r, 0n])) as Record<RegisterName, bigint>;

export class CaseRunner {
  readonly machine: MachinePort;
  private readonly zeroes = new Map<string, Uint8Array>();
  private readonly hasSystem: boolean;
  /** Writes are observed only when a check needs them: observing costs the machine its write fast path. */
  private readonly observe: boolean;
  /** Regions whose contents come from the `machine:` images rather than zeroes (the trap record is zeroed like any struct). */
  private readonly systemRegions: Set<string>;

  constructor(readonly px: PreparedExercise, ports: EnginePorts) {
    this.machine = ports.machines.create({ ramSize: px.exercise.spec.ram, mode: px.exercise.spec.mode, deliverExceptions: px.exercise.spec.exceptions === 'idt' });
    for (const r of px.regions.values()) this.zeroes.set(r.name, new Uint8Array(r.size));
    this.hasSystem = Object.keys(px.system.state).length > 0;
    this.observe = px.checks.some((c) => c.kind === 'writes_only');
    this.systemRegions = new Set(px.system.regions.filter((r) => !r.layout).map((r) => r.name));
  }

  /** The code the machine holds now; placed images are rewritten only when they differ, since writing code costs the CPU its decoded instructions. */
  private placed?: LoadedCode;

  private place(code: LoadedCode): void {
    const { machine, px } = this;
    const images: { addr: number; bytes: Uint8Array }[] = [...px.system.images, ...px.harness.sections.map((s) => ({ addr: s.base, bytes: s.bytes })),
      ...code.asm.sections.map((s) => ({ addr: s.base, bytes: s.bytes })), ...code.trampolines];
    const fresh = this.placed !== code;
    for (const { addr, bytes } of images) {
      if (fresh || !sameBytes(machine.readBytes(addr, bytes.length), bytes)) machine.writeBytes(addr, bytes);
    }
    this.placed = code;
  }

  /** The scope setup expressions see: inputs, region addresses and sizes, harness symbols. */
  setupScope(inputs: Inputs): Scope {
    const px = this.px;
    return { get: (path) => {
      if (path.startsWith('in.')) return inputs.get(path.slice(3));
      return staticName(px, path, px.harnessSymbols);
    } };
  }

  /** Runs one case; `observe` records every write (for `writes_only`), which costs the machine its write fast path. */
  run(code: LoadedCode, inputs: Inputs, observe = this.observe): CaseState {
    const { px, machine } = this;
    const { regs, initialFields, timer } = this.load(code, inputs);
    let writes: number[] | undefined;
    if (observe) {
      const log: number[] = [];
      writes = log;
      machine.observeWrites((addr, length) => { log.push(addr, length); });
    }
    let entryRegs: Record<RegisterName, bigint> | undefined;
    const entry = { at: this.entryAddresses(code), reached: () => { entryRegs = readRegs(machine); } };
    const outcome = machine.run(px.exercise.spec.budget, timer, entry);
    if (writes) machine.observeWrites(undefined);

    const finalRegs = outcome.reason === 'triple-fault' ? ZERO_REGS() : readRegs(machine);
    const regionBytes = new Map<string, Uint8Array>();
    for (const r of px.regions.values()) if (r.layout) regionBytes.set(r.name, machine.readBytes(r.at, r.size));
    const state: CaseState = { inputs, initialRegs: regs, initialFields, outcome, finalRegs, cpl: outcome.reason === 'triple-fault' ? 0 : machine.cpl(), regionBytes, writes, ...(entryRegs ? { entryRegs } : {}) };
    return state;
  }

  private entryCache?: { code: LoadedCode; at: number[] };
  private entryAddresses(code: LoadedCode): number[] {
    if (this.entryCache?.code !== code) {
      const at = new Set<number>(this.px.trampolines.values());
      for (const name of this.px.exercise.spec.entry) if (code.symbols[name] !== undefined) at.add(code.symbols[name]);
      this.entryCache = { code, at: [...at] };
    }
    return this.entryCache.at;
  }

  /** Puts the machine where a case starts (tables, images, code, structs, registers); grading and the debugger's replay both start here. */
  load(code: LoadedCode, inputs: Inputs): { regs: Record<RegisterName, bigint>; initialFields: Map<string, bigint>; timer?: TimerSetup } {
    const { px, machine } = this;
    const mask = px.bits === 32 ? 0xffffffffn : 0xffffffffffffffffn;
    const setup = this.setupScope(inputs);
    const regs = ZERO_REGS();
    regs.rflags = 0x2n;
    regs.rip = BigInt(px.startRip);
    const stack = px.regions.get('stack');
    if (stack) regs.rsp = BigInt(stack.at + stack.size);
    for (const [name, v] of inputs) if (isRegister(name)) regs[name] = v & mask;
    for (const { reg, expr } of px.registerInit) regs[reg] = expr.eval(setup) & mask;

    machine.resetCpu();
    if (this.hasSystem) machine.setSystem(px.system.state);
    this.place(code);
    const initialFields = new Map<string, bigint>();
    const images = new Map<string, Uint8Array>();
    for (const r of px.regions.values()) {
      if (this.systemRegions.has(r.name)) continue;
      if (!r.layout) { machine.writeBytes(r.at, this.zeroes.get(r.name)!); continue; }
      const image = new Uint8Array(r.size);
      for (const f of r.layout.fields) {
        const v = inputs.get(`${r.name}.${f.name}`);
        if (v !== undefined) writeField(image, 0, f, v);
      }
      images.set(r.name, image);
    }
    for (const { region, field, expr } of px.memoryInit) writeField(images.get(region.name)!, 0, field, expr.eval(setup));
    for (const [name, image] of images) {
      const r = px.regions.get(name)!;
      machine.writeBytes(r.at, image);
      for (const f of r.layout!.fields) initialFields.set(`${name}.${f.name}`, readField(image, 0, f));
    }
    for (const reg of REGISTERS) machine.setReg(reg, regs[reg]);
    return { regs, initialFields, ...(px.timer ? { timer: { vector: px.timer.vector, every: timerPeriod(px.timer.every.eval(setup)) } } : {}) };
  }
}

/** A period drawn per case must still be a period: a spec whose expression can give 0 is the author's mistake, named as such. */
function timerPeriod(every: bigint): number {
  if (every < 1n || every > 100_000_000n) throw new Error(`machine.timer.every evaluated to ${every} for this case; a timer period is 1 to 100000000 instructions`);
  return Number(every);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Names that do not depend on the case: region addresses, sizes, symbols. */
function staticName(px: PreparedExercise, path: string, symbols: Record<string, number>): bigint | undefined {
  if (path.startsWith('&')) {
    const [regionName, field] = path.slice(1).split('.');
    const region = px.regions.get(regionName);
    if (!region) return undefined;
    if (field === undefined) return BigInt(region.at);
    const f = region.layout?.byName.get(field);
    return f ? BigInt(region.at + f.offset) : undefined;
  }
  if (path.startsWith('sizeof:')) {
    const what = path.slice(7);
    const size = px.regions.get(what)?.size ?? px.types.get(what)?.size;
    return size === undefined ? undefined : BigInt(size);
  }
  if (path.startsWith('sym.')) {
    const v = symbols[path.slice(4)] ?? px.harnessSymbols[path.slice(4)];
    return v === undefined ? undefined : BigInt(v);
  }
  return undefined;
}

/** The scope checks see for one case: initial values under `in.`, the final state by name, the reference run's under `ref.`. */
export function checkScope(px: PreparedExercise, state: CaseState, symbols: Record<string, number>, reference?: CaseState): Scope {
  const finalName = (s: CaseState, path: string): bigint | undefined => {
    if (isRegister(path)) return s.finalRegs[path];
    const low = registerOf(path);
    if (low) return s.finalRegs[low] & 0xffffffffn;
    if (path === 'cpl') return BigInt(s.cpl);
    if (path === 'instructions') return BigInt(s.outcome.instructions);
    const dot = path.indexOf('.');
    if (dot < 0) return undefined;
    const region = px.regions.get(path.slice(0, dot));
    const field = region?.layout?.byName.get(path.slice(dot + 1));
    if (!field) return undefined;
    return readField(s.regionBytes.get(region!.name)!, 0, field);
  };
  return { get: (path) => {
    if (path.startsWith('in.')) {
      const rest = path.slice(3);
      const low = registerOf(rest);
      return state.inputs.get(rest) ?? (isRegister(rest) ? state.initialRegs[rest] : low ? state.initialRegs[low] & 0xffffffffn : state.initialFields.get(rest));
    }
    if (path.startsWith('ref.')) return reference ? finalName(reference, path.slice(4)) : undefined;
    return finalName(state, path) ?? staticName(px, path, symbols);
  } };
}

export function regionOf(px: PreparedExercise, addr: number): Region | undefined {
  for (const r of px.regions.values()) if (addr >= r.at && addr < r.at + r.size) return r;
  return undefined;
}

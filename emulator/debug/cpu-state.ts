/**
 * A deep copy of every piece of architectural state the CPU object holds, taken generically from
 * its fields (numbers, typed arrays, segment registers, number arrays, the MSR map) so that state
 * the CPU gains later is captured without changes here. Scratch fields are copied too: harmless.
 */
import type { Cpu } from '../cpu/state.ts';

export type FieldValue =
  | { kind: 'number'; value: number }
  | { kind: 'int32s'; value: Int32Array }
  | { kind: 'numbers'; value: number[] }
  | { kind: 'segment'; value: SegmentValue }
  | { kind: 'segments'; value: SegmentValue[] }
  | { kind: 'map'; value: [number, bigint][] }
  | { kind: 'boolean'; value: boolean };

export interface SegmentValue {
  selector: number;
  base: number;
  limit: number;
  attrs: number;
}

/** The CPU's state by field name. */
export type CpuState = Record<string, FieldValue>;

/** Fields that are not machine state: the memory objects the CPU points at. */
const SKIP = new Set(['mem', 'phys']);

const isSegment = (v: unknown): v is SegmentValue =>
  typeof v === 'object' && v !== null && 'selector' in v && 'base' in v && 'limit' in v && 'attrs' in v;

const copySegment = (s: SegmentValue): SegmentValue => ({ selector: s.selector, base: s.base, limit: s.limit, attrs: s.attrs });

export type Kind = FieldValue['kind'];

function kindOf(v: unknown): Kind | null {
  if (typeof v === 'number') return 'number';
  if (typeof v === 'boolean') return 'boolean';
  if (v instanceof Int32Array) return 'int32s';
  if (v instanceof Map) return 'map';
  if (Array.isArray(v) && v.every((x) => typeof x === 'number')) return 'numbers';
  if (Array.isArray(v) && v.every(isSegment)) return 'segments';
  if (isSegment(v)) return 'segment';
  return null;
}

function copyField(kind: Kind, v: unknown): FieldValue {
  switch (kind) {
    case 'number': return { kind, value: v as number };
    case 'boolean': return { kind, value: v as boolean };
    case 'int32s': return { kind, value: (v as Int32Array).slice() };
    case 'map': return { kind, value: [...(v as Map<number, bigint>).entries()] };
    case 'numbers': return { kind, value: [...(v as number[])] };
    case 'segments': return { kind, value: (v as SegmentValue[]).map(copySegment) };
    case 'segment': return { kind, value: copySegment(v as SegmentValue) };
  }
}

/** Which fields a CPU has and of what kind: worked out once, since checkpoints are taken often. */
export interface Plan {
  fields: [string, Kind][];
  keys: number;
}

let plan: Plan | null = null;

/** The plan for `cpu` as it is now: made again when its fields changed in number or kind. */
export function planOf(cpu: Cpu): Plan {
  const source = cpu as unknown as Record<string, unknown>;
  if (plan === null || Object.keys(cpu).length !== plan.keys || !plan.fields.every(([key, kind]) => sameKind(kind, source[key]))) plan = makePlan(cpu);
  return plan;
}

function makePlan(cpu: Cpu): Plan {
  const fields: [string, Kind][] = [];
  const entries = Object.entries(cpu);
  for (const [key, v] of entries) {
    if (SKIP.has(key)) continue;
    const kind = kindOf(v);
    if (kind !== null) fields.push([key, kind]);
  }
  return { fields, keys: entries.length };
}

/** Whether `v` still has the kind the plan recorded (the cheap part of `kindOf`). */
function sameKind(kind: Kind, v: unknown): boolean {
  switch (kind) {
    case 'number': return typeof v === 'number';
    case 'boolean': return typeof v === 'boolean';
    case 'int32s': return v instanceof Int32Array;
    case 'map': return v instanceof Map;
    case 'numbers':
    case 'segments': return Array.isArray(v);
    case 'segment': return isSegment(v);
  }
}

export function captureCpu(cpu: Cpu): CpuState {
  const source = cpu as unknown as Record<string, unknown>;
  const out: CpuState = {};
  for (const [key, kind] of planOf(cpu).fields) out[key] = copyField(kind, source[key]);
  return out;
}

/** Writes a captured state back into `cpu`, then refreshes what depends on it (mode, TLBs). */
export function restoreCpu(cpu: Cpu, state: CpuState): void {
  const target = cpu as unknown as Record<string, unknown>;
  for (const [key, f] of Object.entries(state)) {
    const current = target[key];
    switch (f.kind) {
      case 'number':
      case 'boolean':
        if (typeof current === typeof f.value) target[key] = f.value;
        break;
      case 'int32s':
        (current as Int32Array).set(f.value);
        break;
      case 'numbers':
        (current as number[]).splice(0, (current as number[]).length, ...f.value);
        break;
      case 'segment':
        Object.assign(current as SegmentValue, f.value);
        break;
      case 'segments':
        f.value.forEach((s, i) => Object.assign((current as SegmentValue[])[i], s));
        break;
      case 'map': {
        const m = current as Map<number, bigint>;
        m.clear();
        for (const [k, v] of f.value) m.set(k, v);
        break;
      }
    }
  }
  cpu.updateMode();
  cpu.mem.flush();
}

/** Names of the fields whose values differ between two states (for tests and the UI's change highlighting). */
export function diffCpuStates(a: CpuState, b: CpuState): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  const out: string[] = [];
  for (const k of keys) if (JSON.stringify(toJson(a[k])) !== JSON.stringify(toJson(b[k]))) out.push(k);
  return out;
}

/** A JSON-safe form of one field (bigints as hex strings, typed arrays as arrays). */
export function toJson(f: FieldValue | undefined): unknown {
  if (f === undefined) return null;
  switch (f.kind) {
    case 'int32s': return { kind: f.kind, value: Array.from(f.value) };
    case 'map': return { kind: f.kind, value: f.value.map(([k, v]) => [k, `0x${v.toString(16)}`]) };
    default: return f;
  }
}

export function fromJson(json: unknown, where: string): FieldValue {
  const bad = (what: string): never => {
    throw new Error(`${where}: ${what}`);
  };
  if (typeof json !== 'object' || json === null) return bad('expected an object');
  const { kind, value } = json as { kind?: unknown; value?: unknown };
  switch (kind) {
    case 'number':
      if (typeof value !== 'number') bad('expected a number value');
      return { kind, value: value as number };
    case 'boolean':
      if (typeof value !== 'boolean') bad('expected a boolean value');
      return { kind, value: value as boolean };
    case 'int32s':
      if (!Array.isArray(value) || !value.every((x) => Number.isInteger(x))) bad('expected an array of integers');
      return { kind, value: Int32Array.from(value as number[]) };
    case 'numbers':
      if (!Array.isArray(value) || !value.every((x) => typeof x === 'number')) bad('expected an array of numbers');
      return { kind, value: [...(value as number[])] };
    case 'segment':
      if (!isSegment(value)) bad('expected a segment {selector, base, limit, attrs}');
      return { kind, value: copySegment(value as SegmentValue) };
    case 'segments':
      if (!Array.isArray(value) || !value.every(isSegment)) bad('expected an array of segments');
      return { kind, value: (value as SegmentValue[]).map(copySegment) };
    case 'map':
      if (!Array.isArray(value)) bad('expected an array of [number, hex] pairs');
      return {
        kind,
        value: (value as unknown[]).map((p, i) => {
          if (!Array.isArray(p) || typeof p[0] !== 'number' || typeof p[1] !== 'string' || !/^0x[0-9a-f]+$/i.test(p[1])) {
            return bad(`entry ${i}: expected [number, "0x..."]`);
          }
          return [p[0], BigInt(p[1])] as [number, bigint];
        }),
      };
    default:
      return bad(`unknown field kind ${JSON.stringify(kind)}`);
  }
}

/**
 * The machine's own state outside the CPU (pending interrupts, NMI, timers' next ticks), taken
 * generically from its plain fields like the CPU's: numbers, booleans, lists of primitives, and
 * lists of records of numbers (kept as the same objects on restore, since handles refer to them).
 */
export type MachineField =
  | { kind: 'number'; value: number }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'list'; value: (number | string | boolean)[] }
  | { kind: 'records'; value: Record<string, number | boolean>[] };

export type MachineState = Record<string, MachineField>;

/** Not state: the parts the machine is made of, and its settings. */
const MACHINE_SKIP = new Set(['memory', 'cpu', 'cache', 'deliverExceptions']);

const isPrimitive = (x: unknown): x is number | string | boolean => typeof x === 'number' || typeof x === 'string' || typeof x === 'boolean';
const isRecord = (x: unknown): x is Record<string, number | boolean> =>
  typeof x === 'object' && x !== null && !Array.isArray(x) && Object.getPrototypeOf(x) === Object.prototype &&
  Object.values(x).every((v) => typeof v === 'number' || typeof v === 'boolean');

export function captureMachine(machine: object): MachineState {
  const out: MachineState = {};
  for (const [key, v] of Object.entries(machine)) {
    if (MACHINE_SKIP.has(key)) continue;
    if (typeof v === 'number') out[key] = { kind: 'number', value: v };
    else if (typeof v === 'boolean') out[key] = { kind: 'boolean', value: v };
    else if (Array.isArray(v) && v.every(isPrimitive)) out[key] = { kind: 'list', value: [...v] };
    else if (Array.isArray(v) && v.every(isRecord)) out[key] = { kind: 'records', value: v.map((r) => ({ ...r })) };
  }
  return out;
}

export function restoreMachine(machine: object, state: MachineState): void {
  const target = machine as Record<string, unknown>;
  for (const [key, f] of Object.entries(state)) {
    const current = target[key];
    switch (f.kind) {
      case 'number':
      case 'boolean':
        if (typeof current === typeof f.value) target[key] = f.value;
        break;
      case 'list':
        if (Array.isArray(current)) current.splice(0, current.length, ...f.value);
        break;
      case 'records':
        if (!Array.isArray(current)) break;
        if (current.length === f.value.length) f.value.forEach((r, i) => Object.assign(current[i] as object, r));
        else current.splice(0, current.length, ...f.value.map((r) => ({ ...r })));
        break;
    }
  }
}

/** Checks a machine state that came from outside (a snapshot file). */
export function machineStateFromJson(json: unknown, where: string): MachineState {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Error(`${where}: expected an object of fields`);
  const out: MachineState = {};
  for (const [key, f] of Object.entries(json as Record<string, unknown>)) {
    const { kind, value } = (f ?? {}) as { kind?: unknown; value?: unknown };
    const bad = (what: string): never => {
      throw new Error(`${where}.${key}: ${what}`);
    };
    if (kind === 'number' && typeof value === 'number') out[key] = { kind, value };
    else if (kind === 'boolean' && typeof value === 'boolean') out[key] = { kind, value };
    else if (kind === 'list' && Array.isArray(value) && value.every(isPrimitive)) out[key] = { kind, value: [...value] };
    else if (kind === 'records' && Array.isArray(value) && value.every(isRecord)) out[key] = { kind, value: value.map((r) => ({ ...r })) };
    else bad(`expected {kind, value} with kind number, boolean, list or records, got ${JSON.stringify(f)}`);
  }
  return out;
}

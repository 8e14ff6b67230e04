/**
 * Validates a switchyard-scenario/1 document exactly: every field's type, no unknown fields,
 * 0x-prefixed hex numbers, and control registers that agree with the mode. Every error names
 * the field path and what was wrong.
 */
import {
  MSR_NAMES, REG_NAMES, SCENARIO_FORMAT, SEG_NAMES, ScenarioError,
  type MsrName, type RegName, type Scenario, type ScenarioMode, type SegName, type TableRegister,
} from './types.ts';

type Json = Record<string, unknown>;

const DEFAULT_RAM = 0x400000n;
const DEFAULT_MAX_INSTRUCTIONS = 0x100000n;
const MAX_RAM = 1n << 32n;

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}

function object(value: unknown, path: string, allowed: readonly string[]): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ScenarioError(path || '(top level)', `expected an object, got ${describe(value)}`);
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      throw new ScenarioError(path ? `${path}.${key}` : key, `unknown field (expected one of: ${allowed.join(', ')})`);
    }
  }
  return value as Json;
}

function hex(value: unknown, path: string, bits = 64): bigint {
  if (typeof value !== 'string' || !/^0x[0-9a-fA-F]+$/.test(value)) throw new ScenarioError(path, `expected a 0x-prefixed hex string, got ${describe(value)}`);
  const v = BigInt(value);
  if (v >> BigInt(bits) !== 0n) throw new ScenarioError(path, `${value} does not fit in ${bits} bits`);
  return v;
}

function optionalHex(obj: Json, key: string, path: string, fallback: bigint, bits = 64): bigint {
  return obj[key] === undefined ? fallback : hex(obj[key], `${path}.${key}`, bits);
}

function required(obj: Json, key: string, path: string): unknown {
  if (obj[key] === undefined) throw new ScenarioError(path ? `${path}.${key}` : key, 'required field is missing');
  return obj[key];
}

function tableRegister(value: unknown, path: string, fallback: TableRegister): TableRegister {
  if (value === undefined) return fallback;
  const o = object(value, path, ['base', 'limit']);
  return { base: hex(required(o, 'base', path), `${path}.base`), limit: hex(required(o, 'limit', path), `${path}.limit`, 16) };
}

function bytes(value: unknown, path: string): Uint8Array {
  if (typeof value !== 'string' || !/^([0-9a-fA-F]{2})*$/.test(value)) {
    throw new ScenarioError(path, `expected hex digits in pairs (no 0x prefix), got ${describe(typeof value === 'string' && value.length > 40 ? `${value.slice(0, 40)}...` : value)}`);
  }
  return Uint8Array.from(value.match(/../g) ?? [], (b) => parseInt(b, 16));
}

function array(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) throw new ScenarioError(path, `expected an array, got ${describe(value)}`);
  return value;
}

const bit = (v: bigint, n: number): boolean => ((v >> BigInt(n)) & 1n) === 1n;
const hx = (v: bigint): string => `0x${v.toString(16)}`;

/** Control registers must describe the mode they claim (scenario-v1: a contradiction is an input error). */
function checkMode(mode: ScenarioMode, cr0: bigint, cr4: bigint, efer: bigint): void {
  if (!bit(cr0, 0)) throw new ScenarioError('cpu.cr0', `mode ${mode} needs CR0.PE (bit 0) set, got ${hx(cr0)}`);
  if (mode === 'long64') {
    if (!bit(cr0, 31)) throw new ScenarioError('cpu.cr0', `mode long64 needs CR0.PG (bit 31) set, got ${hx(cr0)}`);
    if (!bit(cr4, 5)) throw new ScenarioError('cpu.cr4', `mode long64 needs CR4.PAE (bit 5) set, got ${hx(cr4)}`);
    if (!bit(efer, 8) || !bit(efer, 10)) throw new ScenarioError('cpu.efer', `mode long64 needs EFER.LME (bit 8) and EFER.LMA (bit 10) set, got ${hx(efer)}`);
  } else {
    if (bit(efer, 10)) throw new ScenarioError('cpu.efer', `mode protected32 needs EFER.LMA (bit 10) clear, got ${hx(efer)}`);
    if (bit(efer, 8) && bit(cr0, 31)) throw new ScenarioError('cpu.efer', `EFER.LME with CR0.PG set is IA-32e mode, not protected32 (got ${hx(efer)})`);
  }
}

export function parseScenario(json: unknown): Scenario {
  const top = object(json, '', ['format', 'name', 'ramSize', 'cpu', 'memory', 'limits', 'dump']);
  const format = required(top, 'format', '');
  if (format !== SCENARIO_FORMAT) throw new ScenarioError('format', `expected "${SCENARIO_FORMAT}", got ${describe(format)}`);
  let name = '';
  if (top.name !== undefined) {
    if (typeof top.name !== 'string') throw new ScenarioError('name', `expected a string, got ${describe(top.name)}`);
    name = top.name;
  }
  const ramSize = optionalHex(top, 'ramSize', '', DEFAULT_RAM);
  if (ramSize === 0n || ramSize % 0x1000n !== 0n || ramSize > MAX_RAM) {
    throw new ScenarioError('ramSize', `expected a non-zero multiple of 0x1000 no larger than ${hx(MAX_RAM)}, got ${hx(ramSize)}`);
  }

  const cpu = object(required(top, 'cpu', ''), 'cpu', ['mode', 'regs', 'cr0', 'cr3', 'cr4', 'efer', 'gdtr', 'idtr', 'seg', 'fsBase', 'gsBase', 'kernelGsBase', 'msr']);
  const mode = required(cpu, 'mode', 'cpu');
  if (mode !== 'long64' && mode !== 'protected32') throw new ScenarioError('cpu.mode', `expected "long64" or "protected32", got ${describe(mode)}`);

  const regsIn = object(required(cpu, 'regs', 'cpu'), 'cpu.regs', REG_NAMES);
  const regs = {} as Record<RegName, bigint>;
  for (const r of REG_NAMES) {
    regs[r] = optionalHex(regsIn, r, 'cpu.regs', r === 'rflags' ? 2n : 0n);
    if (mode === 'protected32' && regs[r] >> 32n !== 0n) {
      throw new ScenarioError(`cpu.regs.${r}`, `in protected32 the upper 32 bits must be zero, got ${hx(regs[r])}`);
    }
  }
  if (!bit(regs.rflags, 1)) throw new ScenarioError('cpu.regs.rflags', `bit 1 of RFLAGS is reserved and must be set, got ${hx(regs.rflags)}`);
  if (regs.rflags >> 22n !== 0n || (regs.rflags & 0x8028n) !== 0n) {
    throw new ScenarioError('cpu.regs.rflags', `reserved RFLAGS bits (3, 5, 15, 22-63) must be zero, got ${hx(regs.rflags)}`);
  }

  const cr0 = optionalHex(cpu, 'cr0', 'cpu', mode === 'long64' ? 0x80000033n : 0x33n, 32);
  const cr3 = optionalHex(cpu, 'cr3', 'cpu', 0n);
  const cr4 = optionalHex(cpu, 'cr4', 'cpu', mode === 'long64' ? 0x20n : 0n, 32);
  const efer = optionalHex(cpu, 'efer', 'cpu', mode === 'long64' ? 0x500n : 0n, 32);
  checkMode(mode, cr0, cr4, efer);

  const gdtr = tableRegister(cpu.gdtr, 'cpu.gdtr', { base: 0n, limit: 0xffffn });
  const idtr = tableRegister(cpu.idtr, 'cpu.idtr', { base: 0n, limit: 0xffffn });
  const segIn = object(required(cpu, 'seg', 'cpu'), 'cpu.seg', SEG_NAMES);
  const seg = {} as Record<SegName, bigint>;
  for (const s of SEG_NAMES) seg[s] = s === 'cs' ? hex(required(segIn, 'cs', 'cpu.seg'), 'cpu.seg.cs', 16) : optionalHex(segIn, s, 'cpu.seg', 0n, 16);

  const scenarioCpu: Scenario['cpu'] = { mode, regs, cr0, cr3, cr4, efer, gdtr, idtr, seg, msr: {} as Record<MsrName, bigint> };
  for (const key of ['fsBase', 'gsBase', 'kernelGsBase'] as const) {
    if (cpu[key] === undefined) continue;
    if (mode !== 'long64') throw new ScenarioError(`cpu.${key}`, 'only allowed in mode long64');
    scenarioCpu[key] = hex(cpu[key], `cpu.${key}`);
  }
  const msrIn = cpu.msr === undefined ? {} : object(cpu.msr, 'cpu.msr', MSR_NAMES);
  for (const m of MSR_NAMES) scenarioCpu.msr[m] = optionalHex(msrIn, m, 'cpu.msr', 0n);

  const memory: Scenario['memory'] = [];
  if (top.memory !== undefined) {
    array(top.memory, 'memory').forEach((entry, k) => {
      const path = `memory[${k}]`;
      const o = object(entry, path, ['addr', 'hex']);
      const addr = hex(required(o, 'addr', path), `${path}.addr`);
      const data = bytes(required(o, 'hex', path), `${path}.hex`);
      if (addr + BigInt(data.length) > ramSize) throw new ScenarioError(path, `${data.length} bytes at ${hx(addr)} go beyond ramSize ${hx(ramSize)}`);
      memory.push({ addr, bytes: data });
    });
  }

  let maxInstructions = DEFAULT_MAX_INSTRUCTIONS;
  if (top.limits !== undefined) {
    const limits = object(top.limits, 'limits', ['maxInstructions']);
    maxInstructions = optionalHex(limits, 'maxInstructions', 'limits', DEFAULT_MAX_INSTRUCTIONS);
    if (maxInstructions > 1n << 40n) throw new ScenarioError('limits.maxInstructions', `at most 0x${(1n << 40n).toString(16)}, got ${hx(maxInstructions)}`);
  }

  const dump: Scenario['dump'] = [];
  if (top.dump !== undefined) {
    array(top.dump, 'dump').forEach((entry, k) => {
      const path = `dump[${k}]`;
      const o = object(entry, path, ['addr', 'len']);
      const addr = hex(required(o, 'addr', path), `${path}.addr`);
      const len = hex(required(o, 'len', path), `${path}.len`);
      if (addr + len > ramSize) throw new ScenarioError(path, `${hx(len)} bytes at ${hx(addr)} go beyond ramSize ${hx(ramSize)}`);
      if (len > 0x1000000n) throw new ScenarioError(`${path}.len`, `at most 0x1000000 bytes per range, got ${hx(len)}`);
      dump.push({ addr, len });
    });
  }

  return { name, ramSize, cpu: scenarioCpu, memory, limits: { maxInstructions }, dump };
}

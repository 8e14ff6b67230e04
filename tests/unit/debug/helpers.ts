import { expect } from 'vitest';
import { assemble } from '../../../emulator/asm/index.ts';
import { Machine, type MachineOptions } from '../../../emulator/index.ts';
import { captureCpu, diffCpuStates, type CpuState } from '../../../emulator/debug/cpu-state.ts';
import { Debugger, type DebuggerOptions } from '../../../emulator/debug/debugger.ts';
import { SourceMap } from '../../../emulator/debug/source-map.ts';
import { PAGE_SIZE } from '../../../emulator/memory/physical.ts';

export const CODE = 0x10000;
export const STACK_TOP = 0x80000;

/** Assembles `source` at CODE, loads it into a fresh machine with RSP at STACK_TOP, and attaches a debugger. */
export function debug(source: string, options: DebuggerOptions & { machine?: MachineOptions; bits?: 32 | 64 } = {}) {
  const result = assemble(source, { bits: options.bits ?? 64, sectionBases: { '.text': CODE, '.data': CODE + 0x8000 } });
  if (!result.ok) throw new Error(result.diagnostics.map((d) => `${d.line}:${d.column} ${d.message}`).join('\n'));
  const machine = new Machine({ ramSize: 1024 * 1024, ...options.machine });
  for (const s of result.sections) machine.load(s.base, s.bytes);
  machine.setRegister('rsp', BigInt(STACK_TOP));
  machine.setRegister('rip', BigInt(CODE));
  const sources = SourceMap.fromAssembly(result);
  const dbg = new Debugger(machine, { sources, ...options });
  const symbol = (name: string) => {
    const s = result.symbols.find((x) => x.name === name);
    if (!s) throw new Error(`no symbol ${name}`);
    return s.address;
  };
  return { machine, dbg, result, sources, symbol };
}

/** The whole machine state: CPU fields and a digest of every allocated page (unallocated pages read as zero). */
export interface FullState {
  cpu: CpuState;
  pages: Map<number, string>;
}

function pageDigest(bytes: Uint8Array): string | null {
  let zero = true;
  let h1 = 0x811c9dc5;
  let h2 = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b !== 0) zero = false;
    h1 = Math.imul(h1 ^ b, 16777619);
    h2 = (h2 + b * (i + 1)) | 0;
  }
  return zero ? null : `${h1 >>> 0}:${h2}`;
}

export function fullState(machine: Machine): FullState {
  const pages = new Map<number, string>();
  for (let pn = 0; pn < machine.memory.pageCount; pn++) {
    if (!machine.memory.isAllocated(pn)) continue;
    const d = pageDigest(machine.memory.page(pn));
    if (d !== null) pages.set(pn, d);
  }
  return { cpu: captureCpu(machine.cpu), pages };
}

export function expectSameState(actual: FullState, expected: FullState, where: string): void {
  const fields = diffCpuStates(actual.cpu, expected.cpu);
  expect(fields, `${where}: CPU fields differ`).toEqual([]);
  const pages = new Set([...actual.pages.keys(), ...expected.pages.keys()]);
  const differing = [...pages].filter((p) => actual.pages.get(p) !== expected.pages.get(p)).map((p) => `0x${(p * PAGE_SIZE).toString(16)}`);
  expect(differing, `${where}: memory pages differ`).toEqual([]);
}

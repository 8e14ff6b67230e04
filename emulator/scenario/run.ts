/** Runs a parsed scenario on a fresh machine and produces the switchyard-result/1 object. */
import { Machine, type Execution, type RunResult } from '../machine.ts';
import { MSR, type Cpu, type Segment } from '../cpu/state.ts';
import { SEG_L, SEG_S, SEG_TYPE, SEG_UNUSABLE, SEGMENT_NAMES } from '../arch/segments.ts';
import { CpuFault } from '../arch/faults.ts';
import { loadSegmentUnchecked, readDescriptor } from '../ops/segments.ts';
import { MSR_NAMES, REG_NAMES, RESULT_FORMAT, ScenarioError, type MsrName, type Scenario } from './types.ts';
import { GPR_NAMES } from '../arch/registers.ts';

const MSR_NUMBERS: Record<MsrName, number> = {
  star: MSR.STAR, lstar: MSR.LSTAR, cstar: MSR.CSTAR, sfmask: MSR.SFMASK,
  sysenterCs: MSR.SYSENTER_CS, sysenterEsp: MSR.SYSENTER_ESP, sysenterEip: MSR.SYSENTER_EIP,
};

const hx = (v: bigint | number): string => `0x${BigInt.asUintN(64, BigInt(v)).toString(16)}`;
const toHex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

export type ScenarioStop = 'hlt' | 'triple-fault' | 'limit' | 'error';

export interface ScenarioResult {
  format: typeof RESULT_FORMAT;
  stop: ScenarioStop;
  instructions: string;
  error?: string;
  cpu: Record<string, unknown>;
  memory: { addr: string; hex: string }[];
}

/** Builds the machine a scenario describes; descriptor problems are input errors naming the field. */
export function setUpScenario(s: Scenario): Machine {
  const m = new Machine({ ramSize: Number(s.ramSize), mode: s.cpu.mode });
  for (const block of s.memory) m.load(block.addr, block.bytes);
  const cpu = m.cpu;
  cpu.cr0 = Number(s.cpu.cr0);
  cpu.cr3 = Number(s.cpu.cr3);
  cpu.cr4 = Number(s.cpu.cr4);
  cpu.efer = Number(s.cpu.efer);
  cpu.gdtrBase = Number(BigInt.asIntN(64, s.cpu.gdtr.base));
  cpu.gdtrLimit = Number(s.cpu.gdtr.limit);
  cpu.idtrBase = Number(BigInt.asIntN(64, s.cpu.idtr.base));
  cpu.idtrLimit = Number(s.cpu.idtr.limit);
  m.usePageTables();
  cpu.updateMode();
  cpu.mem.flush();
  const guarded = (path: string, load: () => void) => {
    try {
      load();
    } catch (e) {
      if (e instanceof CpuFault) throw new ScenarioError(path, e.reason);
      throw e;
    }
  };
  for (const [k, name] of SEGMENT_NAMES.entries()) {
    guarded(`cpu.seg.${name}`, () => loadSegmentUnchecked(cpu, k, Number(s.cpu.seg[name])));
  }
  guarded('cpu.seg.ldtr', () => loadSystemSegment(cpu, cpu.ldtr, Number(s.cpu.seg.ldtr), 'ldtr'));
  guarded('cpu.seg.tr', () => loadSystemSegment(cpu, cpu.tr, Number(s.cpu.seg.tr), 'tr'));
  if (s.cpu.fsBase !== undefined) cpu.seg[4].base = Number(BigInt.asIntN(64, s.cpu.fsBase));
  if (s.cpu.gsBase !== undefined) cpu.seg[5].base = Number(BigInt.asIntN(64, s.cpu.gsBase));
  if (s.cpu.kernelGsBase !== undefined) cpu.msr.set(MSR.KERNEL_GS_BASE, s.cpu.kernelGsBase);
  for (const name of MSR_NAMES) cpu.msr.set(MSR_NUMBERS[name], s.cpu.msr[name]);
  for (const r of REG_NAMES) m.setRegister(r, s.cpu.regs[r]);
  cpu.updateMode();
  m.deliverExceptions = true;
  return m;
}

/** LDTR and TR: a system descriptor in the GDT (16 bytes in IA-32e mode); TR's TSS is marked busy. */
function loadSystemSegment(cpu: Cpu, seg: Segment, selector: number, which: 'ldtr' | 'tr'): void {
  seg.selector = selector;
  if ((selector & 0xfffc) === 0) {
    seg.base = 0;
    seg.limit = 0;
    seg.attrs = SEG_UNUSABLE;
    return;
  }
  if (selector & 4) throw new CpuFault(13, `selector 0x${selector.toString(16)} must refer to the GDT`, selector & 0xfffc);
  const d = readDescriptor(cpu, selector, `loading ${which.toUpperCase()}`, true);
  const type = d.attrs & SEG_TYPE;
  if (d.attrs & SEG_S) throw new CpuFault(13, `selector 0x${selector.toString(16)} names a code or data descriptor, not ${which === 'tr' ? 'a TSS' : 'an LDT'}`, selector & 0xfffc);
  if (which === 'ldtr' && type !== 2) throw new CpuFault(13, `selector 0x${selector.toString(16)} names a descriptor of type ${type}, not an LDT (2)`, selector & 0xfffc);
  const tssTypes = cpu.longMode ? [9, 11] : [1, 3, 9, 11];
  if (which === 'tr' && !tssTypes.includes(type)) {
    throw new CpuFault(13, `selector 0x${selector.toString(16)} names a descriptor of type ${type}, not an available or busy TSS`, selector & 0xfffc);
  }
  seg.base = d.base;
  seg.limit = d.limit;
  seg.attrs = d.attrs;
  if (which === 'tr' && (type & 2) === 0) {
    cpu.mem.write8(d.at + 5, cpu.mem.read8(d.at + 5) | 2);
    seg.attrs |= 2;
  }
}

export function scenarioMode(cpu: Cpu): 'long64' | 'compat32' | 'protected32' {
  if (!cpu.longMode) return 'protected32';
  return cpu.seg[1].attrs & SEG_L ? 'long64' : 'compat32';
}

/** The final state in result form. */
export function snapshot(m: Machine, s: Scenario, run: RunResult): ScenarioResult {
  const cpu = m.cpu;
  const stop: ScenarioStop = run.reason === 'hlt' || run.reason === 'limit' || run.reason === 'triple-fault' ? run.reason : 'error';
  const regs: Record<string, string> = {};
  for (const r of REG_NAMES) regs[r] = hx(m.getRegister(r));
  const seg: Record<string, string> = {};
  for (const [k, name] of SEGMENT_NAMES.entries()) seg[name] = hx(cpu.seg[k].selector);
  seg.tr = hx(cpu.tr.selector);
  seg.ldtr = hx(cpu.ldtr.selector);
  const msr: Record<string, string> = {};
  for (const name of MSR_NAMES) msr[name] = hx(cpu.msr.get(MSR_NUMBERS[name]) ?? 0n);
  const result: ScenarioResult = {
    format: RESULT_FORMAT,
    stop,
    instructions: hx(run.instructions),
    cpu: {
      mode: scenarioMode(cpu),
      cpl: hx(cpu.cpl),
      regs: Object.fromEntries(GPR_NAMES.map((r) => [r, regs[r]]).concat([['rip', regs.rip], ['rflags', regs.rflags]])),
      cr0: hx(cpu.cr0 >>> 0),
      cr2: hx(cpu.cr2),
      cr3: hx(cpu.cr3),
      cr4: hx(cpu.cr4 >>> 0),
      efer: hx(cpu.efer >>> 0),
      gdtr: { base: hx(cpu.gdtrBase), limit: hx(cpu.gdtrLimit) },
      idtr: { base: hx(cpu.idtrBase), limit: hx(cpu.idtrLimit) },
      seg,
      fsBase: hx(cpu.seg[4].base),
      gsBase: hx(cpu.seg[5].base),
      kernelGsBase: hx(cpu.msr.get(MSR.KERNEL_GS_BASE) ?? 0n),
      msr,
    },
    memory: s.dump.map((d) => ({ addr: hx(d.addr), hex: toHex(m.read(d.addr, Number(d.len))) })),
  };
  if (stop === 'error') {
    result.error = run.reason === 'fault'
      ? `${run.message ?? 'fault'} (at ${hx(run.fault?.rip ?? 0n)}; the exception could not be delivered)`
      : (run.message ?? 'the emulator stopped');
  }
  return result;
}

/** Runs a scenario: exceptions go through the IDT, the run ends at HLT, a triple fault, or the instruction limit. */
/** Runs a scenario; `execution` picks how its 64-bit code runs (the result is the same in every mode). */
export function runScenario(s: Scenario, options: { execution?: Execution } = {}): ScenarioResult {
  const m = setUpScenario(s);
  if (options.execution !== undefined) m.execution = options.execution;
  const run = m.run({ maxInstructions: Number(s.limits.maxInstructions) });
  return snapshot(m, s, run);
}

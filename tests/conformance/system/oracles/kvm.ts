/** The KVM oracle: scenarios run on /dev/kvm by build/oracles/kvm/kvm-runner.c. */
import { accessSync, constants } from 'node:fs';
import { hex } from '../../../../emulator/layout/index.ts';
import { MSR_NAMES, REG_NAMES, SEG_NAMES, type MsrName, type Oracle, type OracleError, type RegName, type Result, type Scenario, type SegName } from '../scenario-types.ts';
import { buildRunner } from './build-native.ts';
import { scenarioMemory, segmentCaches } from './machine-state.ts';
import { LineProcess } from './runner-process.ts';

const MSR_INDEX: Record<MsrName, number> = {
  star: 0xc0000081, lstar: 0xc0000082, cstar: 0xc0000083, sfmask: 0xc0000084,
  sysenterCs: 0x174, sysenterEsp: 0x175, sysenterEip: 0x176,
};
const KSEG: Record<SegName, string> = { cs: 'cs', ss: 'ss', ds: 'ds', es: 'es', fs: 'fs', gs: 'gs', tr: 'tr', ldtr: 'ldtr' };

export function scenarioToKvmInput(s: Scenario, timeoutMs: number): string {
  const mem = scenarioMemory(s);
  const caches = segmentCaches(s, mem);
  const out: string[] = [`ram ${mem.size.toString(16)}`, `timeout_ms ${timeoutMs}`];
  for (const e of mem.entries()) out.push(`mem ${e.addr.slice(2)} ${e.hex}`);
  for (const r of REG_NAMES) out.push(`reg ${r} ${BigInt(s.cpu.regs[r]).toString(16)}`);
  for (const n of SEG_NAMES) {
    const c = caches[n];
    out.push(`seg ${KSEG[n]} ${[c.selector, c.base, c.limit, c.type, c.s, c.dpl, c.present, c.db, c.l, c.g, c.avl, c.unusable].map((v) => v.toString(16)).join(' ')}`);
  }
  for (const cr of ['cr0', 'cr3', 'cr4', 'efer'] as const) out.push(`cr ${cr} ${BigInt(s.cpu[cr]).toString(16)}`);
  out.push(`table gdt ${BigInt(s.cpu.gdtr.base).toString(16)} ${BigInt(s.cpu.gdtr.limit).toString(16)}`);
  out.push(`table idt ${BigInt(s.cpu.idtr.base).toString(16)} ${BigInt(s.cpu.idtr.limit).toString(16)}`);
  for (const m of MSR_NAMES) {
    const v = s.cpu.msr?.[m];
    if (v !== undefined) out.push(`msr ${MSR_INDEX[m].toString(16)} ${BigInt(v).toString(16)}`);
  }
  if (s.cpu.kernelGsBase) out.push(`msr c0000102 ${BigInt(s.cpu.kernelGsBase).toString(16)}`);
  for (const d of s.dump ?? []) out.push(`dump ${BigInt(d.addr).toString(16)} ${BigInt(d.len).toString(16)}`);
  out.push('run', '');
  return out.join('\n');
}

export function parseKvmOutput(lines: string[]): Result | OracleError {
  const stopLine = lines.find((l) => l.startsWith('stop '));
  if (!stopLine) return { error: `runner printed no stop line: ${lines.join(' | ').slice(0, 200)}` };
  const stop = stopLine.split(' ')[1];
  if (stop === 'oracle-error') return { error: stopLine.slice('stop oracle-error '.length) };
  if (stop === 'triple-fault') return { format: 'switchyard-result/1', stop: 'triple-fault', instructions: '0x0' };
  const regs = {} as Record<RegName, string>;
  const seg = {} as Record<SegName, string>;
  const segL = {} as Record<string, number>;
  const cr: Record<string, string> = {};
  const tables: Record<string, { base: string; limit: string }> = {};
  const msrByIndex = new Map<number, string>();
  const memory: { addr: string; hex: string }[] = [];
  let cpl = 0;
  for (const line of lines) {
    const f = line.split(' ');
    switch (f[0]) {
      case 'reg': regs[f[1] as RegName] = '0x' + f[2]; break;
      case 'seg': {
        const name = (f[1] === 'ldt' ? 'ldtr' : f[1]) as SegName;
        seg[name] = hex(BigInt('0x' + f[2]));
        if (name === 'cs') { segL.l = parseInt(f[10], 16); cpl = parseInt(f[2], 16) & 3; }
        break;
      }
      case 'cr': cr[f[1]] = '0x' + f[2]; break;
      case 'table': tables[f[1]] = { base: '0x' + f[2], limit: '0x' + f[3] }; break;
      case 'msr': msrByIndex.set(parseInt(f[1], 16), '0x' + f[2]); break;
      case 'mem': memory.push({ addr: '0x' + f[1], hex: f[2] ?? '' }); break;
    }
  }
  const lma = (BigInt(cr.efer) & 0x400n) !== 0n;
  const msr = Object.fromEntries(MSR_NAMES.map((m) => [m, msrByIndex.get(MSR_INDEX[m]) ?? '0x0'])) as Record<MsrName, string>;
  return {
    format: 'switchyard-result/1',
    stop: stop as Result['stop'],
    instructions: '0x0',
    cpu: {
      mode: lma ? (segL.l ? 'long64' : 'compat32') : 'protected32',
      cpl: hex(cpl),
      regs,
      cr0: cr.cr0, cr2: cr.cr2, cr3: cr.cr3, cr4: cr.cr4, efer: cr.efer,
      gdtr: tables.gdt, idtr: tables.idt,
      seg,
      fsBase: msrByIndex.get(0xc0000100) ?? '0x0', gsBase: msrByIndex.get(0xc0000101) ?? '0x0', kernelGsBase: msrByIndex.get(0xc0000102) ?? '0x0',
      msr,
    },
    memory,
  };
}

export class KvmOracle implements Oracle {
  readonly name = 'kvm';
  private proc: LineProcess | undefined;

  constructor(private readonly timeoutMs = 1000) {}

  async available(): Promise<string | null> {
    try {
      accessSync('/dev/kvm', constants.R_OK | constants.W_OK);
    } catch {
      return '/dev/kvm is not present or not read-writable';
    }
    try {
      buildRunner('build/oracles/kvm/kvm-runner.c', 'kvm-runner');
    } catch (e) {
      return (e as Error).message;
    }
    return null;
  }

  async run(s: Scenario): Promise<Result | OracleError> {
    if ((BigInt(s.cpu.cr0) & 0x80000000n) && !(BigInt(s.cpu.efer) & 0x100n)) {
      // kvm-pvm shuts the guest down under 32-bit and PAE paging: that is not an answer.
      return { error: 'kvm-pvm cannot run 32-bit or PAE paging' };
    }
    if (s.name.startsWith('segcheck/') && (Number(s.cpu.seg.cs) & 3) === 3) {
      // Its guest's CPL 3 code runs on the host's descriptor tables: LAR/LSL/VERR/VERW would describe those.
      return { error: 'kvm-pvm runs CPL 3 code on the host GDT: LAR, LSL, VERR and VERW there are not the guest\'s' };
    }
    let input: string;
    try {
      input = scenarioToKvmInput(s, this.timeoutMs);
    } catch (e) {
      return { error: `cannot prepare scenario: ${(e as Error).message}` };
    }
    this.proc ??= new LineProcess(buildRunner('build/oracles/kvm/kvm-runner.c', 'kvm-runner'));
    try {
      return parseKvmOutput(await this.proc.request(input, this.timeoutMs + 5000));
    } catch (e) {
      return { error: (e as Error).message };
    }
  }

  async close(): Promise<void> {
    await this.proc?.close();
    this.proc = undefined;
  }
}

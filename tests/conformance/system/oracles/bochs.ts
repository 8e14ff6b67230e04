/**
 * The Bochs oracle. Bochs 2.7's internal debugger cannot write 64-bit registers, control
 * registers or MSRs, but its `restore "cpu0" <dir>` command reloads the whole CPU from a text
 * file in the save-state format: general registers, RFLAGS, CRs, EFER and the other MSRs, GDTR,
 * IDTR and every segment register with its hidden part. The runner reads that file's template
 * from the freshly reset CPU (`show "cpu0"`), fills in the scenario's state (segment caches as a
 * far load would leave them, from `machine-state.ts`), writes memory with `setpmem`, restores,
 * continues, and stops the guest with SIGINT to read `activity_state` (1 = HLT). With
 * `reset_on_triple_fault=0` a triple fault is a panic that ends Bochs, recognised in its log.
 * Everything is read back with `show "cpu0"` and `xp`. One Bochs process per scenario
 * (0.3 to 0.8 s).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hex, MemoryImage } from '../../../../emulator/layout/index.ts';
import { MSR_NAMES, REG_NAMES, SEG_NAMES, type MsrName, type Oracle, type OracleError, type RegName, type Result, type Scenario, type SegName } from '../scenario-types.ts';
import { BochsDebugger, BochsExited, parseParams } from './bochs-debugger.ts';
import { repoRoot } from './build-native.ts';
import { scenarioMemory, segmentCaches, type SegCache } from './machine-state.ts';

const BOCHS = 'bochs';
const BIOS_DIR = '/usr/share/bochs';
/** Skylake-X: Intel vendor, long mode, NX, 1 GiB pages, SMEP/SMAP, FSGSBASE, PCID. */
export const BOCHS_CPU = 'corei7_skylake_x';
const ACTIVITY_HLT = '0x00000001';
const ACTIVITY_SHUTDOWN = '0x00000002';
/** Bochs's cpu_mode values (cpu.h): real 0, v8086 1, protected 2, compatibility 3, 64-bit 4. */
const CPU_MODE = { protected32: 2, compat32: 3, long64: 4 } as const;
const BOCHS_REG: Record<Exclude<RegName, 'rflags'>, string> = {
  rax: 'RAX', rbx: 'RBX', rcx: 'RCX', rdx: 'RDX', rsi: 'RSI', rdi: 'RDI', rbp: 'RBP', rsp: 'RSP',
  r8: 'R8', r9: 'R9', r10: 'R10', r11: 'R11', r12: 'R12', r13: 'R13', r14: 'R14', r15: 'R15', rip: 'RIP',
};
const BOCHS_SEG: Record<SegName, string> = { cs: 'CS', ss: 'SS', ds: 'DS', es: 'ES', fs: 'FS', gs: 'GS', tr: 'TR', ldtr: 'LDTR' };
const BOCHS_MSR: Record<MsrName, string> = {
  star: 'star', lstar: 'lstar', cstar: 'cstar', sfmask: 'fmask',
  sysenterCs: 'sysenter_cs_msr', sysenterEsp: 'sysenter_esp_msr', sysenterEip: 'sysenter_eip_msr',
};

const TRIPLE_FAULT = /3rd \(\d+\) exception with no resolution/;

export class BochsOracle implements Oracle {
  readonly name = 'bochs';
  private template: string | undefined;
  constructor(private readonly timeoutMs = 1500) {}

  async available(): Promise<string | null> {
    const r = spawnSync(BOCHS, ['--help', 'cpu'], { encoding: 'utf8' });
    if (r.error || r.status !== 0) return `${BOCHS} is not installed`;
    if (!`${r.stdout}${r.stderr}`.includes(BOCHS_CPU)) return `${BOCHS} has no CPU model ${BOCHS_CPU}`;
    if (!existsSync(join(BIOS_DIR, 'BIOS-bochs-latest'))) return `no Bochs BIOS in ${BIOS_DIR}`;
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-bochs-'));
    try {
      const d = await BochsDebugger.start(BOCHS, this.writeConfig(dir, 4), dir, 10_000);
      const help = await d.command('help restore');
      await d.close();
      if (!/restore/.test(help)) return `${BOCHS} was built without its internal debugger`;
    } catch (e) {
      return `${BOCHS} does not start with its debugger: ${(e as Error).message}`;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    return null;
  }

  /** Once more in a new process when the debugger stopped answering (rare, under load). */
  async run(s: Scenario): Promise<Result | OracleError> {
    const first = await this.runOnce(s);
    return 'error' in first && !('format' in first) && /no debugger prompt/.test(first.error) ? this.runOnce(s) : first;
  }

  /**
   * For the peer figures of `npm run bench`: runs a scenario that ends in a triple fault (a panic
   * that ends Bochs) and returns the wall-clock seconds from the guest's start to Bochs's exit,
   * with nothing interrupting the guest in between.
   */
  async timeToShutdown(s: Scenario, timeoutMs: number): Promise<number | OracleError> {
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-bochs-'));
    let d: BochsDebugger | undefined;
    try {
      d = await this.prepare(s, dir);
      const t0 = performance.now();
      await d.continueUntilExit(timeoutMs);
      const seconds = (performance.now() - t0) / 1000;
      const log = readLog(dir);
      return TRIPLE_FAULT.test(log) ? seconds : { error: `bochs exited without a triple fault: ${log.trim().slice(-400)}` };
    } catch (e) {
      return { error: `bochs: ${(e as Error).message}` };
    } finally {
      await d?.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }

  /** A Bochs process in `dir` with the scenario's memory and CPU state restored, the guest stopped. */
  private async prepare(s: Scenario, dir: string): Promise<BochsDebugger> {
    const mem = scenarioMemory(s);
    const caches = segmentCaches(s, mem);
    const megs = Math.max(4, Math.ceil(Number(BigInt(s.ramSize ?? '0x400000')) / 0x100000));
    const d = await BochsDebugger.start(BOCHS, this.writeConfig(dir, megs), dir, 10_000);
    try {
      this.template ??= stripShowHeader(await d.command('show "cpu0"'));
      await d.commands(setpmemCommands(mem), 20_000);
      writeFileSync(join(dir, 'cpu0'), fillTemplate(this.template, cpuParams(s, mem, caches)));
      const restored = await d.command(`restore "cpu0" "${dir}"`);
      if (/error/i.test(restored)) throw new Error(`restore failed: ${restored.trim()}`);
      return d;
    } catch (e) {
      await d.close();
      throw e;
    }
  }

  private async runOnce(s: Scenario): Promise<Result | OracleError> {
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-bochs-'));
    let d: BochsDebugger | undefined;
    try {
      d = await this.prepare(s, dir);
      const stop = await runToStop(d, this.timeoutMs);
      return await readResult(d, s, stop);
    } catch (e) {
      if (e instanceof BochsExited) {
        const log = readLog(dir);
        // With reset_on_triple_fault=0 a triple fault is a panic, and panics end Bochs.
        if (TRIPLE_FAULT.test(log)) return { format: 'switchyard-result/1', stop: 'triple-fault', instructions: '0x0' };
        return { error: `bochs exited (${e.code}): ${(log || e.output).trim().slice(-400)}` };
      }
      return { error: `bochs: ${(e as Error).message}` };
    } finally {
      await d?.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }

  private writeConfig(dir: string, megs: number): string {
    const text = readFileSync(join(repoRoot, 'build/oracles/bochs/bochsrc'), 'utf8')
      .replaceAll('@MEGS@', String(megs)).replaceAll('@CPU@', BOCHS_CPU)
      .replaceAll('@BIOS_DIR@', BIOS_DIR).replaceAll('@LOG@', join(dir, 'bochs.log'));
    const file = join(dir, 'bochsrc');
    writeFileSync(file, text);
    return file;
  }
}

function readLog(dir: string): string {
  const f = join(dir, 'bochs.log');
  return existsSync(f) ? readFileSync(f, 'utf8').split('\n').filter((l) => /[pe]\[/.test(l)).join('\n') : '';
}

function stripShowHeader(text: string): string {
  const at = text.indexOf('cpu0 = {');
  if (at < 0) throw new Error(`show "cpu0" printed no parameter tree: ${text.slice(0, 200)}`);
  const end = text.lastIndexOf('\n}');
  return text.slice(at, end + 2) + '\n';
}

/** setpmem writes at most 4 bytes per command (little-endian value). */
function setpmemCommands(mem: MemoryImage): string[] {
  const cmds: string[] = [];
  for (const e of mem.entries()) {
    const addr = Number(BigInt(e.addr));
    const len = e.hex.length / 2;
    const bytes = mem.read(addr, len);
    let i = 0;
    for (; i + 4 <= len; i += 4) {
      const v = (bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24)) >>> 0;
      if (v) cmds.push(`setpmem 0x${(addr + i).toString(16)} 4 0x${v.toString(16)}`);
    }
    for (; i < len; i++) if (bytes[i]) cmds.push(`setpmem 0x${(addr + i).toString(16)} 1 0x${bytes[i].toString(16)}`);
  }
  return cmds;
}

function segParams(prefix: string, c: SegCache, out: Map<string, string>): void {
  const usable = !c.unusable;
  const h = (v: number | bigint) => '0x' + v.toString(16);
  out.set(`${prefix}.selector`, h(c.selector));
  // Only the "cache valid" bit: Bochs computes its read/write fast-path bits on first use.
  out.set(`${prefix}.valid`, usable ? '0x1' : '0x0');
  out.set(`${prefix}.p`, String(!!c.present));
  out.set(`${prefix}.dpl`, h(c.dpl));
  out.set(`${prefix}.segment`, String(!!c.s));
  out.set(`${prefix}.type`, h(c.type));
  out.set(`${prefix}.base`, h(c.base));
  out.set(`${prefix}.limit_scaled`, h(c.limit >>> 0));
  out.set(`${prefix}.granularity`, String(!!c.g));
  out.set(`${prefix}.d_b`, String(!!c.db));
  out.set(`${prefix}.l`, String(!!c.l));
  out.set(`${prefix}.avl`, String(!!c.avl));
}

function cpuParams(s: Scenario, mem: MemoryImage, caches: Record<SegName, SegCache>): Map<string, string> {
  const p = new Map<string, string>();
  const h = (v: string | bigint) => '0x' + BigInt(v).toString(16);
  const long = s.cpu.mode === 'long64';
  p.set('cpu_mode', String(long ? (caches.cs.l ? CPU_MODE.long64 : CPU_MODE.compat32) : CPU_MODE.protected32));
  for (const r of REG_NAMES) if (r !== 'rflags') p.set(BOCHS_REG[r], h(s.cpu.regs[r]));
  p.set('EFLAGS', h(s.cpu.regs.rflags));
  p.set('CR0', h(s.cpu.cr0));
  p.set('CR2', '0x0');
  p.set('CR3', h(s.cpu.cr3));
  p.set('CR4', h(s.cpu.cr4));
  p.set('MSR.EFER', h(s.cpu.efer));
  for (const m of MSR_NAMES) p.set(`MSR.${BOCHS_MSR[m]}`, h(s.cpu.msr?.[m] ?? '0x0'));
  p.set('MSR.kernelgsbase', h(long ? s.cpu.kernelGsBase ?? '0x0' : '0x0'));
  p.set('GDTR.base', h(s.cpu.gdtr.base));
  p.set('GDTR.limit', h(s.cpu.gdtr.limit));
  p.set('IDTR.base', h(s.cpu.idtr.base));
  p.set('IDTR.limit', h(s.cpu.idtr.limit));
  for (const name of SEG_NAMES) segParams(BOCHS_SEG[name], caches[name], p);
  // PAE paging outside IA-32e mode reads its PDPTEs at MOV CR3 (SDM Vol. 3A §4.4.1).
  const pae = (BigInt(s.cpu.cr4) & 0x20n) !== 0n && (BigInt(s.cpu.efer) & 0x400n) === 0n && (BigInt(s.cpu.cr0) & 0x80000000n) !== 0n;
  for (let i = 0; i < 4; i++) {
    p.set(`PDPTR_CACHE.entry${i}`, pae ? h(mem.readU64(Number((BigInt(s.cpu.cr3) & 0xffffffe0n) + BigInt(8 * i)))) : '0x0');
  }
  return p;
}

/** Replaces the values of the given dotted paths in a `show "cpu0"` text. */
export function fillTemplate(template: string, values: Map<string, string>): string {
  const stack: string[] = [];
  const used = new Set<string>();
  const lines = template.split('\n').map((line) => {
    const t = line.trim();
    if (t === '}') { stack.pop(); return line; }
    const m = /^(\s*)([A-Za-z0-9_]+) = (.*)$/.exec(line);
    if (!m) return line;
    if (m[3] === '{') { stack.push(m[2]); return line; }
    const path = [...stack.slice(1), m[2]].join('.');
    const v = values.get(path);
    if (v === undefined) return line;
    used.add(path);
    return `${m[1]}${m[2]} = ${v}`;
  });
  const missing = [...values.keys()].filter((k) => !used.has(k) && !/\.l$/.test(k));
  if (missing.length) throw new Error(`Bochs's cpu0 state has no ${missing.join(', ')}`);
  return lines.join('\n');
}

type Stop = 'hlt' | 'triple-fault' | 'limit';

async function runToStop(d: BochsDebugger, timeoutMs: number): Promise<Stop> {
  const deadline = Date.now() + timeoutMs;
  let wait = 5;
  for (;;) {
    d.continueGuest();
    await sleep(wait);
    await d.interrupt(5000);
    const state = parseParams(await d.command('show "cpu0.activity_state"')).get('activity_state');
    if (state === ACTIVITY_HLT) return 'hlt';
    if (state === ACTIVITY_SHUTDOWN) return 'triple-fault';
    if (Date.now() > deadline) return 'limit';
    wait = Math.min(wait * 2, 200);
  }
}

async function readResult(d: BochsDebugger, s: Scenario, stop: Stop): Promise<Result> {
  if (stop === 'triple-fault') return { format: 'switchyard-result/1', stop, instructions: '0x0' };
  const p = parseParams(await d.command('show "cpu0"', 10_000));
  const get = (path: string): bigint => {
    const v = p.get(path);
    if (v === undefined || !/^(0x[0-9a-f]+|\d+)$/i.test(v)) throw new Error(`show "cpu0" has no numeric ${path} (${v})`);
    return BigInt(v);
  };
  const regs = {} as Record<RegName, string>;
  for (const r of REG_NAMES) regs[r] = hex(r === 'rflags' ? get('EFLAGS') : get(BOCHS_REG[r]));
  const seg = {} as Record<SegName, string>;
  for (const name of SEG_NAMES) seg[name] = hex(get(`${BOCHS_SEG[name]}.selector`));
  const efer = get('MSR.EFER');
  const lma = (efer & 0x400n) !== 0n;
  const msr = Object.fromEntries(MSR_NAMES.map((m) => [m, hex(get(`MSR.${BOCHS_MSR[m]}`))])) as Record<MsrName, string>;
  const memory: { addr: string; hex: string }[] = [];
  for (const dump of s.dump ?? []) {
    const addr = BigInt(dump.addr), len = Number(BigInt(dump.len));
    memory.push({ addr: hex(addr), hex: parseXp(await d.command(`xp /${len}bx 0x${addr.toString(16)}`), len, addr) });
  }
  return {
    format: 'switchyard-result/1',
    stop,
    instructions: '0x0',
    cpu: {
      mode: lma ? (p.get('CS.l') === 'true' ? 'long64' : 'compat32') : 'protected32',
      cpl: hex(get('CS.selector') & 3n), regs,
      cr0: hex(get('CR0')), cr2: hex(get('CR2')), cr3: hex(get('CR3')), cr4: hex(get('CR4')), efer: hex(efer),
      gdtr: { base: hex(get('GDTR.base')), limit: hex(get('GDTR.limit')) },
      idtr: { base: hex(get('IDTR.base')), limit: hex(get('IDTR.limit')) },
      seg, fsBase: hex(get('FS.base')), gsBase: hex(get('GS.base')), kernelGsBase: hex(get('MSR.kernelgsbase')),
      msr,
    },
    memory,
  };
}

/** `xp /Nbx` prints lines of "0x…addr <bogus+ n>:" followed by byte values. */
function parseXp(text: string, len: number, addr: bigint): string {
  let out = '';
  for (const line of text.split('\n')) {
    const colon = line.indexOf('>:');
    if (colon < 0) continue;
    for (const b of line.slice(colon + 2).trim().split(/\s+/)) if (/^0x[0-9a-f]{2}$/i.test(b)) out += b.slice(2).toLowerCase();
  }
  if (out.length !== len * 2) throw new Error(`xp at 0x${addr.toString(16)} returned ${out.length / 2} of ${len} bytes`);
  return out;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

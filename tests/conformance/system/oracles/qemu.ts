/**
 * The QEMU (TCG) oracle. QEMU's gdbstub sets general registers, RIP/RFLAGS, CR0/2/3/4, EFER,
 * FS/GS/KernelGS bases and segment selectors (in protected mode a selector write reloads the
 * hidden part from the descriptor tables). It cannot set GDTR, IDTR, LDTR, TR or MSRs: a small
 * real-mode stub (build/oracles/qemu/stub16.S) loads those first, in a page the scenario leaves
 * empty, which is zeroed again before the scenario starts. HLT is detected by interrupting the
 * guest and reading "HLT=1" from `info registers`; with -no-reboot a triple fault ends QEMU.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hex, MemoryImage, toHex } from '../../../../emulator/layout/index.ts';
import { assemble } from '../generate/asm.ts';
import { REG_NAMES, SEG_NAMES, type Oracle, type OracleError, type RegName, type Result, type Scenario, type SegName } from '../scenario-types.ts';
import { GdbRemote } from './gdb-remote.ts';
import { repoRoot } from './build-native.ts';
import { scenarioMemory, translate } from './machine-state.ts';

export const QEMU_CPU = 'max';
const QEMU = 'qemu-system-x86_64';
const R = { rip: 16, eflags: 17, seg: 18, fsBase: 24, gsBase: 25, kgsBase: 26, cr0: 27, cr2: 28, cr3: 29, cr4: 30, efer: 32 } as const;
const SEG_ORDER: SegName[] = ['cs', 'ss', 'ds', 'es', 'fs', 'gs'];
const MSR_INDEX = { star: 0xc0000081, lstar: 0xc0000082, cstar: 0xc0000083, sfmask: 0xc0000084, sysenterCs: 0x174, sysenterEsp: 0x175, sysenterEip: 0x176 } as const;

function le(v: bigint, bytes: number): string {
  return toHex(Uint8Array.from({ length: bytes }, (_, i) => Number((BigInt.asUintN(bytes * 8, v) >> BigInt(8 * i)) & 0xffn)));
}
function fromLe(h: string): bigint {
  let v = 0n;
  for (let i = h.length - 2; i >= 0; i -= 2) v = (v << 8n) | BigInt(parseInt(h.slice(i, i + 2), 16));
  return v;
}

let stubBytes: Uint8Array | undefined;
function stub(): Uint8Array {
  stubBytes ??= assemble(readFileSync(join(repoRoot, 'build/oracles/qemu/stub16.S'), 'utf8'), 16);
  return stubBytes;
}

/** A 4 KiB page below 640 KiB that no memory entry or dump touches, for the loader stub. */
export function freeLowPage(s: Scenario): number {
  const used: [number, number][] = [
    ...s.memory.map((e) => [Number(BigInt(e.addr)), Number(BigInt(e.addr)) + e.hex.length / 2] as [number, number]),
    ...(s.dump ?? []).map((d) => [Number(BigInt(d.addr)), Number(BigInt(d.addr)) + Number(BigInt(d.len))] as [number, number]),
  ];
  for (let page = 0x9f000; page >= 0x1000; page -= 0x1000) {
    if (!used.some(([a, b]) => a < page + 0x1000 && b > page)) return page;
  }
  throw new Error('no free page below 640 KiB for the loader stub');
}

export class QemuOracle implements Oracle {
  readonly name = 'qemu';
  constructor(private readonly timeoutMs = 1500) {}

  async available(): Promise<string | null> {
    const r = spawnSync(QEMU, ['--version'], { encoding: 'utf8' });
    if (r.status !== 0) return `${QEMU} is not installed`;
    try { stub(); } catch (e) { return `cannot assemble the loader stub: ${(e as Error).message}`; }
    return null;
  }

  async run(s: Scenario): Promise<Result | OracleError> {
    return this.session(s, async (gdb, exited, stderr) => {
      await this.prepare(gdb, s);
      return this.runToStop(gdb, s, exited, stderr);
    });
  }

  /**
   * For the peer figures of `npm run bench`: runs a scenario that ends in a triple fault (QEMU then
   * exits, -no-reboot) and returns the wall-clock seconds from the guest's start to that exit,
   * with nothing interrupting the guest in between.
   */
  async timeToShutdown(s: Scenario, timeoutMs: number): Promise<number | OracleError> {
    return this.session(s, async (gdb, exited, stderr) => {
      await this.prepare(gdb, s);
      const t0 = performance.now();
      gdb.send('c');
      let timer: NodeJS.Timeout | undefined;
      const code = await Promise.race([exited, new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)))]);
      const seconds = (performance.now() - t0) / 1000;
      clearTimeout(timer);
      if (code === 'timeout') return { error: `qemu: no shutdown within ${timeoutMs} ms` };
      if (code !== 0 || /error|abort/i.test(stderr())) return { error: `qemu: exited with ${code} (${stderr().trim().slice(0, 300)})` };
      return seconds;
    });
  }

  private async session<T>(
    s: Scenario,
    body: (gdb: GdbRemote, exited: Promise<number | null>, stderr: () => string) => Promise<T | OracleError>,
  ): Promise<T | OracleError> {
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-qemu-'));
    const sock = join(dir, 'gdb.sock');
    const ramMiB = Math.max(4, Math.ceil(Number(BigInt(s.ramSize ?? '0x400000')) / 0x100000));
    const child = spawn(QEMU, [
      '-accel', 'tcg', '-cpu', QEMU_CPU, '-m', `${ramMiB}M`, '-S', '-nodefaults', '-display', 'none', '-no-reboot',
      '-monitor', 'none', '-serial', 'none', '-chardev', `socket,id=g,path=${sock},server=on,wait=off`, '-gdb', 'chardev:g',
    ], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => { stderr += d.toString(); });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    let gdb: GdbRemote | undefined;
    try {
      gdb = await connectUnix(sock, 5000);
      return await body(gdb, exited, () => stderr);
    } catch (e) {
      return { error: `qemu: ${(e as Error).message}${stderr ? ` (stderr: ${stderr.trim().slice(0, 300)})` : ''}` };
    } finally {
      gdb?.close();
      kill(child);
      await exited;
      rmSync(dir, { recursive: true, force: true });
    }
  }

  /** Loads the scenario's memory, tables, MSRs and registers; the guest is stopped at its first instruction. */
  private async prepare(gdb: GdbRemote, s: Scenario): Promise<void> {
    await gdb.startNoAck();
    // QEMU accepts register writes only from a client that has read the target description.
    await gdb.command('qSupported:xmlRegisters=i386');
    await gdb.command('qXfer:features:read:target.xml:0,ffb');
    expectOk(await gdb.command('Qqemu.PhyMemMode:1'), 'Qqemu.PhyMemMode');
    const mem = scenarioMemory(s);
    clearTssBusy(s, mem);
    for (const e of mem.entries()) await writeMem(gdb, Number(BigInt(e.addr)), e.hex);

    const page = freeLowPage(s);
    const code = stub();
    const params = new MemoryImage(0x1000);
    params.writeU16(0x800, BigInt(s.cpu.gdtr.limit)).writeU32(0x802, BigInt(s.cpu.gdtr.base) & 0xffffffffn);
    params.writeU16(0x808, BigInt(s.cpu.idtr.limit)).writeU32(0x80a, BigInt(s.cpu.idtr.base) & 0xffffffffn);
    params.writeU16(0x810, BigInt(s.cpu.seg.ldtr)).writeU16(0x812, BigInt(s.cpu.seg.tr));
    const msrs: [number, bigint][] = Object.entries(s.cpu.msr ?? {}).map(([k, v]) => [MSR_INDEX[k as keyof typeof MSR_INDEX], BigInt(v)]);
    params.writeU16(0x814, msrs.length);
    msrs.forEach(([idx, v], i) => params.writeU32(0x820 + i * 12, idx).writeU32(0x824 + i * 12, v & 0xffffffffn).writeU32(0x828 + i * 12, v >> 32n));
    await writeMem(gdb, page, toHex(code));
    await writeMem(gdb, page + 0x800, toHex(params.read(0x800, 0x820 + msrs.length * 12 - 0x800)));
    await setReg(gdb, R.seg + 0, BigInt(page >> 4), 4);
    await setReg(gdb, R.seg + 2, BigInt(page >> 4), 4);
    await setReg(gdb, R.rip, 0n, 8);
    await setReg(gdb, R.eflags, 2n, 4);
    const hltAt = page + code.length - 1;
    expectOk(await gdb.command(`Z0,${hltAt.toString(16)},1`), 'set breakpoint');
    gdb.send('c');
    const stop = await gdb.reply(5000);
    if (!stop.startsWith('T') && !stop.startsWith('S')) throw new Error(`loader stub did not stop at its breakpoint: ${stop}`);
    const pc = await getReg(gdb, R.rip, 8);
    if (Number(pc) !== code.length - 1) throw new Error(`loader stub faulted (IP 0x${pc.toString(16)})`);
    expectOk(await gdb.command(`z0,${hltAt.toString(16)},1`), 'clear breakpoint');
    await writeMem(gdb, page, '00'.repeat(0x1000));

    await setReg(gdb, R.cr4, BigInt(s.cpu.cr4), 8);
    await setReg(gdb, R.cr3, BigInt(s.cpu.cr3), 8);
    await setReg(gdb, R.efer, BigInt(s.cpu.efer), 8);
    await setReg(gdb, R.cr0, BigInt(s.cpu.cr0), 8);
    for (const name of SEG_ORDER) {
      const sel = BigInt(s.cpu.seg[name]);
      const idx = R.seg + SEG_ORDER.indexOf(name);
      // The gdbstub reloads the hidden part only when the selector changes.
      await setReg(gdb, idx, sel === 8n ? 0x10n : 8n, 4);
      await setReg(gdb, idx, sel, 4);
    }
    if (s.cpu.mode === 'long64') {
      await setReg(gdb, R.fsBase, BigInt(s.cpu.fsBase ?? '0x0'), 8);
      await setReg(gdb, R.gsBase, BigInt(s.cpu.gsBase ?? '0x0'), 8);
      await setReg(gdb, R.kgsBase, BigInt(s.cpu.kernelGsBase ?? '0x0'), 8);
    }
    for (let i = 0; i < 16; i++) await setReg(gdb, i, BigInt(s.cpu.regs[REG_NAMES[i]]), 8);
    await setReg(gdb, R.rip, BigInt(s.cpu.regs.rip), 8);
    await setReg(gdb, R.eflags, BigInt(s.cpu.regs.rflags), 4);

    const before = await gdb.monitor('info registers');
    if (!/CPL=\d/.test(before)) throw new Error('cannot read info registers');
  }

  private async runToStop(gdb: GdbRemote, s: Scenario, exited: Promise<number | null>, stderr: () => string): Promise<Result | OracleError> {
    gdb.send('c');
    const deadline = Date.now() + this.timeoutMs;
    let wait = 5;
    let halted = false;
    for (;;) {
      const done = await Promise.race([exited.then(() => 'exit'), sleep(wait).then(() => 'poll')]);
      if (done === 'exit' || gdb.isClosed) {
        const code = await exited;
        if (code === 0 && !/error|abort/i.test(stderr())) return { format: 'switchyard-result/1', stop: 'triple-fault', instructions: '0x0' };
        throw new Error(`QEMU exited with ${code}`);
      }
      gdb.interrupt();
      const stopped = await gdb.reply(5000).catch(() => 'W');
      if (stopped.startsWith('W') || stopped.startsWith('X')) continue;
      const info = await gdb.monitor('info registers').catch(() => '');
      if (gdb.isClosed || !info) continue;
      if (/HLT=1/.test(info)) { halted = true; break; }
      if (Date.now() > deadline) break;
      wait = Math.min(wait * 2, 200);
      gdb.send('c');
    }
    return readResult(gdb, s, halted ? 'hlt' : 'limit');
  }
}

async function readResult(gdb: GdbRemote, s: Scenario, stop: 'hlt' | 'limit'): Promise<Result> {
  const g = await gdb.command('g');
  let at = 0;
  const take = (bytes: number) => { const v = fromLe(g.slice(at, at + bytes * 2)); at += bytes * 2; return v; };
  const regs = {} as Record<RegName, string>;
  for (let i = 0; i < 16; i++) regs[REG_NAMES[i]] = hex(take(8));
  regs.rip = hex(take(8));
  regs.rflags = hex(take(4));
  const seg = {} as Record<SegName, string>;
  for (const name of SEG_ORDER) seg[name] = hex(take(4));
  const fsBase = take(8), gsBase = take(8), kgs = take(8);
  const cr0 = take(8), cr2 = take(8), cr3 = take(8), cr4 = take(8);
  take(8);
  const efer = take(8);
  const info = await gdb.monitor('info registers');
  const field = (re: RegExp, what: string) => {
    const m = re.exec(info);
    if (!m) throw new Error(`info registers has no ${what}`);
    return m;
  };
  const gdt = field(/GDT=\s+([0-9a-f]+) ([0-9a-f]+)/, 'GDT');
  const idt = field(/IDT=\s+([0-9a-f]+) ([0-9a-f]+)/, 'IDT');
  seg.tr = hex(BigInt('0x' + field(/TR =([0-9a-f]{4})/, 'TR')[1]));
  seg.ldtr = hex(BigInt('0x' + field(/LDT=([0-9a-f]{4})/, 'LDT')[1]));
  const cpl = Number(field(/CPL=(\d)/, 'CPL')[1]);
  const csLine = field(/CS =([0-9a-f]{4}) ([0-9a-f]+) ([0-9a-f]+) ([0-9a-f]+)/, 'CS');
  const csL = (BigInt('0x' + csLine[4]) >> 21n) & 1n;
  const lma = (efer & 0x400n) !== 0n;
  const memory: { addr: string; hex: string }[] = [];
  for (const d of s.dump ?? []) memory.push({ addr: hex(BigInt(d.addr)), hex: await readMem(gdb, Number(BigInt(d.addr)), Number(BigInt(d.len))) });
  return {
    format: 'switchyard-result/1',
    stop,
    instructions: '0x0',
    cpu: {
      mode: lma ? (csL ? 'long64' : 'compat32') : 'protected32',
      cpl: hex(cpl), regs, cr0: hex(cr0), cr2: hex(cr2), cr3: hex(cr3), cr4: hex(cr4), efer: hex(efer),
      gdtr: { base: hex(BigInt('0x' + gdt[1])), limit: hex(BigInt('0x' + gdt[2])) },
      idtr: { base: hex(BigInt('0x' + idt[1])), limit: hex(BigInt('0x' + idt[2])) },
      seg, fsBase: hex(fsBase), gsBase: hex(gsBase), kernelGsBase: hex(kgs),
      // QEMU's gdbstub and monitor cannot read these MSRs back: left out, so they are not compared.
      msr: {},
    },
    memory,
  };
}

/** The stub's LTR needs an available TSS; LTR marks it busy again (SDM Vol. 3A §7.2.4). */
function clearTssBusy(s: Scenario, mem: MemoryImage): void {
  const tr = Number(BigInt(s.cpu.seg.tr)) & ~7;
  const phys = translate(s, mem, BigInt(s.cpu.gdtr.base) + BigInt(tr + 5));
  const b = mem.read(phys, 1)[0];
  if ((b & 0x1f) === 0x0b) mem.writeU8(phys, b & ~2);
}

async function writeMem(gdb: GdbRemote, addr: number, hexBytes: string): Promise<void> {
  const chunk = 1800;
  for (let i = 0; i < hexBytes.length; i += chunk * 2) {
    const part = hexBytes.slice(i, i + chunk * 2);
    expectOk(await gdb.command(`M${(addr + i / 2).toString(16)},${(part.length / 2).toString(16)}:${part}`), `write memory at 0x${(addr + i / 2).toString(16)}`);
  }
}

async function readMem(gdb: GdbRemote, addr: number, len: number): Promise<string> {
  let out = '';
  for (let i = 0; i < len; i += 1800) {
    const n = Math.min(1800, len - i);
    const r = await gdb.command(`m${(addr + i).toString(16)},${n.toString(16)}`);
    if (r.startsWith('E')) throw new Error(`cannot read memory at 0x${(addr + i).toString(16)}: ${r}`);
    out += r;
  }
  return out;
}

async function setReg(gdb: GdbRemote, n: number, v: bigint, bytes: number): Promise<void> {
  expectOk(await gdb.command(`P${n.toString(16)}=${le(v, bytes)}`), `write register ${n}`);
}

async function getReg(gdb: GdbRemote, n: number, bytes: number): Promise<bigint> {
  return fromLe((await gdb.command(`p${n.toString(16)}`)).slice(0, bytes * 2));
}

function expectOk(reply: string, what: string): void {
  if (reply !== 'OK') throw new Error(`${what}: gdbstub replied "${reply}"`);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function kill(c: ChildProcess): void {
  if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
}

async function connectUnix(path: string, timeoutMs: number): Promise<GdbRemote> {
  return GdbRemote.connectPath(path, timeoutMs);
}

export { SEG_NAMES };

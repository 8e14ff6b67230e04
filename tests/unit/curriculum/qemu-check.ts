/**
 * Grades curriculum exercises on QEMU (TCG) instead of our CPU, through the system oracle's
 * scenario runner: the exercises checked against an independent x86 implementation, so that a
 * reference solution that passes only because of a fault of our CPU does not go unnoticed.
 *
 *   npx tsx tests/unit/curriculum/qemu-check.ts [--cases N] [--all-files] [exercise-id ...]
 *
 * Each case runs three times through the engine's own pipeline: once on a recording machine that
 * turns the case into a switchyard-scenario/1 (the engine's memory image and registers, plus a
 * flat GDT, TSS, identity page tables and an IDT whose exception stubs note where they hit), once
 * on QEMU, and once on a machine that replays QEMU's result, so that the engine's checks judge it.
 * With `exceptions: stop`, a fault reaching one of the stubs is reported as that fault, with the
 * registers of the faulting instruction, as the engine's own machine would report it.
 */
import { descriptorBytes, gate32, gate64, longModeGdt, protectedModeGdt, tss32, tss64 } from '../../../emulator/layout/index.ts';
import { realPorts } from '../../../exercises/engine/adapters.ts';
import { gradeSubmission, prepareExercise, type GradeResult } from '../../../exercises/engine/index.ts';
import type { EnginePorts, MachinePort, RunOutcome, SystemState } from '../../../exercises/engine/ports.ts';
import { REGISTERS, type Mode, type RegisterName } from '../../../exercises/engine/schema.ts';
import { QemuOracle } from '../../conformance/system/oracles/qemu.ts';
import type { Result, Scenario } from '../../conformance/system/scenario-types.ts';
import { curriculumExercises, type CurriculumExercise } from './exercises.ts';

/** The scenario's own tables, above every region the curriculum uses. */
const SYS = { gdt: 0x3c0000, tss: 0x3c1000, pml4: 0x3c2000, pdpt: 0x3c3000, pd: 0x3c4000, idt: 0x3c5000, stubs: 0x3c6000, savedSp: 0x3c7000, faultStackTop: 0x3c9000, end: 0x3c9000 };
const ERROR_CODE_VECTORS = new Set([8, 10, 11, 12, 13, 14, 17, 21, 29, 30]);

const hex = (v: bigint | number) => `0x${BigInt(v).toString(16)}`;
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function systemImage(mode: Mode): Map<number, Uint8Array> {
  const out = new Map<number, Uint8Array>();
  const stubs = new Uint8Array(32 * 16);
  const idt = new Uint8Array(32 * (mode === 'long64' ? 16 : 8));
  for (let v = 0; v < 32; v++) {
    const at = SYS.stubs + v * 16;
    // mov %rsp, savedSp (absolute) ; hlt
    const store = mode === 'long64' ? [0x48, 0x89, 0x24, 0x25] : [0x89, 0x25];
    stubs.set([...store, ...[0, 8, 16, 24].map((s) => (SYS.savedSp >> s) & 0xff), 0xf4], v * 16);
    if (mode === 'long64') idt.set(descriptorBytes(gate64({ offset: at, selector: 0x08 })), v * 16);
    else idt.set(descriptorBytes(gate32({ offset: at, selector: 0x08 })), v * 8);
  }
  out.set(SYS.stubs, stubs);
  out.set(SYS.idt, idt);
  if (mode === 'long64') {
    out.set(SYS.gdt, longModeGdt(SYS.tss));
    out.set(SYS.tss, tss64({ rsp: [SYS.faultStackTop] }));
    const le64 = (v: number) => descriptorBytes(BigInt(v));
    out.set(SYS.pml4, le64(SYS.pdpt | 7));
    out.set(SYS.pdpt, le64(SYS.pd | 7));
    out.set(SYS.pd, new Uint8Array([...le64(0x87), ...le64(0x200087)]));
  } else {
    out.set(SYS.gdt, protectedModeGdt(SYS.tss));
    out.set(SYS.tss, tss32({ ss0: 0x10, esp0: SYS.faultStackTop }));
  }
  return out;
}

/** Records each case as a scenario instead of running it. */
class RecordingMachine implements MachinePort {
  readonly ram: Uint8Array;
  private regs = new Map<RegisterName, bigint>();
  private system: SystemState = {};
  constructor(readonly mode: Mode, ramSize: number, private readonly dumps: { addr: number; len: number }[], private readonly sink: Scenario[], private readonly budget: number) {
    this.ram = new Uint8Array(ramSize);
  }
  writeBytes(addr: number, bytes: Uint8Array): void { this.ram.set(bytes, addr); }
  readBytes(addr: number, length: number): Uint8Array { return this.ram.slice(addr, addr + length); }
  setReg(name: RegisterName, value: bigint): void { this.regs.set(name, value); }
  getReg(): bigint { return 0n; }
  cpl(): number { return 0; }
  resetCpu(): void { this.regs.clear(); this.system = {}; }
  setSystem(state: SystemState): void { this.system = state; }
  observeWrites(): void {}
  run(): RunOutcome {
    const image = new Uint8Array(this.ram);
    for (const [addr, bytes] of systemImage(this.mode)) image.set(bytes, addr);
    const memory: Scenario['memory'] = [];
    for (let page = 0; page < image.length; page += 0x1000) {
      const chunk = image.subarray(page, page + 0x1000);
      if (chunk.some((b) => b !== 0)) memory.push({ addr: hex(page), hex: toHex(chunk) });
    }
    const long = this.mode === 'long64';
    const sys = this.system;
    const regs = Object.fromEntries(REGISTERS.map((r) => [r, hex(this.regs.get(r) ?? 0n)])) as Scenario['cpu']['regs'];
    this.sink.push({
      format: 'switchyard-scenario/1', name: `curriculum/${this.sink.length}`, ramSize: hex(this.ram.length),
      cpu: {
        mode: this.mode, regs,
        cr0: long ? '0x80000011' : '0x11', cr3: hex(sys.cr3 ?? (long ? SYS.pml4 : 0)), cr4: long ? '0x20' : '0x0', efer: long ? '0x500' : '0x0',
        gdtr: sys.gdtr ? { base: hex(sys.gdtr.base), limit: hex(sys.gdtr.limit) } : { base: hex(SYS.gdt), limit: long ? '0x3f' : '0x2f' },
        idtr: sys.idtr ? { base: hex(sys.idtr.base), limit: hex(sys.idtr.limit) } : { base: hex(SYS.idt), limit: hex(32 * (long ? 16 : 8) - 1) },
        seg: long ? { cs: '0x8', ss: '0x10', ds: '0x10', es: '0x10', fs: '0x0', gs: '0x0', tr: hex(sys.tr?.selector ?? 0x30), ldtr: '0x0' }
          : { cs: '0x8', ss: '0x10', ds: '0x10', es: '0x10', fs: '0x10', gs: '0x10', tr: hex(sys.tr?.selector ?? 0x28), ldtr: '0x0' },
      },
      memory,
      limits: { maxInstructions: hex(this.budget) },
      dump: [...this.dumps.map((d) => ({ addr: hex(d.addr), len: hex(d.len) })), { addr: hex(SYS.savedSp), len: hex(SYS.faultStackTop - SYS.savedSp) }],
    });
    return { reason: 'hlt', instructions: 0 };
  }
}

/** Plays QEMU's results back to the engine, one per run, in order. */
class ReplayMachine implements MachinePort {
  private next = 0;
  private regs = new Map<RegisterName, bigint>();
  private level = 0;
  private dumps: { addr: number; bytes: Uint8Array }[] = [];
  constructor(readonly mode: Mode, private readonly results: (Result | { error: string })[], private readonly recorded: RecordingMachine) {}
  writeBytes(addr: number, bytes: Uint8Array): void { this.recorded.ram.set(bytes, addr); }
  readBytes(addr: number, length: number): Uint8Array {
    const d = this.dumps.find((x) => addr >= x.addr && addr + length <= x.addr + x.bytes.length);
    return d ? d.bytes.slice(addr - d.addr, addr - d.addr + length) : this.recorded.ram.slice(addr, addr + length);
  }
  setReg(): void {}
  setSystem(): void {}
  observeWrites(): void {}
  getReg(name: RegisterName): bigint { return this.regs.get(name) ?? 0n; }
  cpl(): number { return this.level; }
  resetCpu(): void {}
  run(): RunOutcome {
    const r = this.results[this.next++];
    if (!r || 'error' in r && !('format' in r)) return { reason: 'error', instructions: 0, message: `QEMU could not run the case: ${r ? r.error : 'missing'}` };
    const result = r as Result;
    this.dumps = (result.memory ?? []).map((m) => ({ addr: Number(BigInt(m.addr)), bytes: Uint8Array.from(Buffer.from(m.hex, 'hex')) }));
    if (result.stop !== 'hlt' || !result.cpu) return { reason: result.stop === 'limit' ? 'limit' : result.stop === 'triple-fault' ? 'triple-fault' : 'error', instructions: 0, message: result.error };
    for (const reg of REGISTERS) this.regs.set(reg, BigInt(result.cpu.regs[reg]));
    this.level = Number(BigInt(result.cpu.cpl));
    const hltAt = Number(this.regs.get('rip')!) - 1;
    if (hltAt < SYS.stubs || hltAt >= SYS.stubs + 32 * 16) return { reason: 'hlt', instructions: Number(BigInt(result.instructions)) };
    const vector = (hltAt - SYS.stubs) >> 4;
    const w = this.mode === 'long64' ? 8 : 4;
    const sp = Number(readLe(this.readBytes(SYS.savedSp, w)));
    const frame = sp + (ERROR_CODE_VECTORS.has(vector) && !(this.mode === 'protected32' && vector >= 21) ? w : 0);
    const slot = (i: number) => readLe(this.readBytes(frame + i * w, w));
    const cs = Number(slot(1));
    this.regs.set('rip', slot(0));
    this.regs.set('rflags', slot(2));
    this.level = cs & 3;
    this.regs.set('rsp', this.mode === 'long64' || (cs & 3) !== 0 ? slot(3) : BigInt(frame + 3 * w));
    return { reason: 'fault', instructions: 0, fault: { vector, name: `vector ${vector}`, message: `vector ${vector}, delivered on QEMU` } };
  }
}

function readLe(b: Uint8Array): bigint {
  let v = 0n;
  for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
  return v;
}

async function gradeOnQemu(x: CurriculumExercise, file: string, cases: number, qemu: QemuOracle): Promise<GradeResult> {
  const real = realPorts();
  const spec = { ...x.spec, cases, hidden_cases: 0 };
  const exercise = { id: x.id, origin: `pack/${x.id}`, spec, readme: '', starter: '', solution: x.read('solution.s'), harness: x.read('harness.s'), hints: [] };
  const px = prepareExercise(exercise, real.assembler);
  const dumps = [...px.regions.values()].filter((r) => r.layout || r.size <= 0x2000).map((r) => ({ addr: r.at, len: r.size }));
  const scenarios: Scenario[] = [];
  let recorder: RecordingMachine | undefined;
  const recording: EnginePorts = { ...real, machines: { create: ({ ramSize, mode }) => (recorder = new RecordingMachine(mode, ramSize, dumps, scenarios, spec.budget)) } };
  const source = x.read(file);
  const first = gradeSubmission(px, source, recording, { minimizeRuns: 0 });
  if (first.status === 'error' && first.diagnostics.length) return first;
  const results: (Result | { error: string })[] = [];
  for (const s of scenarios) results.push(await qemu.run(s));
  const replaying: EnginePorts = { ...real, machines: { create: ({ mode }) => new ReplayMachine(mode, results, recorder!) } };
  return gradeSubmission(px, source, replaying, { minimizeRuns: 0 });
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  let cases = 3;
  let allFiles = false;
  let dir: string | undefined;
  const ids: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--cases') cases = Number(args[++i]);
    else if (args[i] === '--dir') dir = args[++i];
    else if (args[i] === '--all-files') allFiles = true;
    else ids.push(args[i]);
  }
  const qemu = new QemuOracle(3000);
  const missing = await qemu.available();
  if (missing) { process.stderr.write(`qemu-check: ${missing}\n`); process.exit(2); }
  const exercises = curriculumExercises(dir).filter((x) => !ids.length || ids.includes(x.id));
  let bad = 0;
  for (const x of exercises) {
    if (x.spec.machine.timer) {
      // A switchyard-scenario/1 has no timer device to raise the exercise's clock interrupt.
      process.stdout.write(`skipped  ${x.id}: its machine.timer has no counterpart in a scenario run on QEMU\n`);
      continue;
    }
    const files = ['solution.s', ...(allFiles ? ['starter.s', ...x.mistakes.map((m) => `mistakes/${m.file}`)] : [])];
    for (const file of files) {
      const r = await gradeOnQemu(x, file, cases, qemu);
      const mistake = x.mistakes.find((m) => `mistakes/${m.file}` === file);
      const failing = r.checks.filter((c) => !c.passed);
      let verdict: string;
      if (file === 'solution.s') verdict = r.passed ? 'ok' : 'REFERENCE FAILS';
      else if (file === 'starter.s') verdict = r.passed ? 'STARTER PASSES' : 'ok';
      else {
        // Where a wrong solution runs off into memory, QEMU and our CPU may stop it differently
        // (a runaway here, a fault there), so on QEMU only the failing check is required.
        const check = r.checks.find((c) => c.name === mistake!.fails);
        const spec = x.spec.checks.find((c) => c.name === mistake!.fails);
        // The replay sees QEMU's final state, not each write the run made.
        if (spec && 'writes_only' in spec) verdict = `ok (not checked on QEMU: "${mistake!.fails}" judges the writes)`;
        else verdict = !check || check.passed ? `MISTAKE NOT CAUGHT by "${mistake!.fails}"` : 'ok';
        if (check && !check.passed && !check.message.includes(mistake!.says)) verdict = `ok (message without "${mistake!.says}": ${check.message.slice(0, 120)})`;
      }
      const good = verdict.startsWith('ok');
      if (!good) bad++;
      process.stdout.write(`${verdict.padEnd(8)} ${x.id} ${file}${good ? '' : `\n${failing.map((c) => `    ${c.name}: ${c.message}`).join('\n') || `    ${r.error ?? ''}`}`}\n`);
    }
  }
  process.exit(bad ? 1 : 0);
}

await main();

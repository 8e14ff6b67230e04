/** Builds the C harness with the host's gcc and runs cases on the host CPU. */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { release, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { simdFields } from './simd-state.ts';
import { GPR_NAMES, type NativeCase, type NativeFault, type NativeOutcome } from './types.ts';

const here = dirname(fileURLToPath(import.meta.url));
export const HARNESS_SOURCE = join(here, 'harness.c');

/** Why the host harness cannot run here, or null when it can (x86-64 Linux with gcc). */
export function hostUnavailable(): string | null {
  if (process.platform !== 'linux' || process.arch !== 'x64') return `the host is ${process.platform}/${process.arch}, not x86-64 Linux`;
  const gcc = spawnSync('gcc', ['--version'], { encoding: 'utf8' });
  if (gcc.error || gcc.status !== 0) return 'gcc was not found on PATH';
  return null;
}

export interface HostHarness {
  run(cases: readonly NativeCase[]): NativeOutcome[];
  /** XCR0 as the OS set it (0 when XSAVE is not enabled). */
  xcr0(): bigint;
  dispose(): void;
}

/** Compiles a C source with `gcc -O2` into a fresh temporary directory; throws with gcc's diagnostics on failure. */
export function compileC(source: string, name: string): { binary: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), `switchyard-${name}-`));
  const binary = join(dir, name);
  const result = spawnSync('gcc', ['-O2', '-o', binary, source], { encoding: 'utf8' });
  if (result.error || result.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`gcc could not build ${source}:\n${result.stderr || String(result.error)}`);
  }
  return { binary, dir };
}

export function buildHarness(): HostHarness {
  const { binary, dir } = compileC(HARNESS_SOURCE, 'native-harness');
  return {
    run(cases) {
      const input = join(dir, 'cases.txt');
      writeFileSync(input, cases.map(caseLine).join('\n') + '\n');
      // Cases go through a file: tens of megabytes do not fit a pipe's buffer in one write.
      const stdin = openSync(input, 'r');
      let result;
      try {
        result = spawnSync(binary, [], { stdio: [stdin, 'pipe', 'pipe'], maxBuffer: 1 << 30, encoding: 'utf8' });
      } finally {
        closeSync(stdin);
      }
      if (result.error || result.status !== 0) throw new Error(`the host harness failed (status ${result.status}): ${result.stderr || String(result.error)}`);
      return parseOutcomes(result.stdout, cases);
    },
    xcr0() {
      const result = spawnSync(binary, ['--xcr0'], { encoding: 'utf8' });
      if (result.error || result.status !== 0) throw new Error(`the host harness failed to read XCR0: ${result.stderr || String(result.error)}`);
      return BigInt(`0x${result.stdout.trim()}`);
    },
    dispose() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const strip = (hex: string) => hex.replace(/^0x/, '');

/** One line of the harness's input format (see harness.c). */
export function caseLine(c: NativeCase): string {
  const fields = [c.id, c.code || '-', ...GPR_NAMES.map((n) => strip(c.regs[n])), strip(c.rflags), c.data || '-'];
  if (c.simd) fields.push(c.simd);
  return fields.join(' ');
}

/** The XCR0 bits a feature needs enabled besides its CPUID flag. */
const FEATURE_XCR0: Record<string, bigint> = { avx: 0x6n, xsave: 0x7n, xsaveopt: 0x7n, xsavec: 0x7n };

/** Why the host cannot run a case needing `features`, or null: a CPUID flag it lacks or XCR0 bits its OS left clear. */
export function missingFeature(features: readonly string[], flags: ReadonlySet<string>, xcr0: bigint): string | null {
  for (const f of features) {
    if (!flags.has(f)) return `the host CPU lacks ${f}`;
    const need = FEATURE_XCR0[f] ?? 0n;
    if ((xcr0 & need) !== need) return `XCR0 0x${xcr0.toString(16)} does not enable ${f}'s state`;
  }
  return null;
}

/** What running a case needs: its own features, and XSAVE with x87|SSE|AVX enabled for the harness's XRSTOR of any SIMD state. */
export const requirementsOf = (c: NativeCase): string[] => [...(c.simd ? ['xsave'] : []), ...(c.requires ?? [])];

/** The CPU feature flags /proc/cpuinfo lists for the first CPU. */
export function hostFlags(): Set<string> {
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    return new Set((/^flags\s*:\s*(.*)$/m.exec(info)?.[1] ?? '').split(/\s+/));
  } catch {
    return new Set();
  }
}

const FAULTS = new Set<string>(['#DE', '#UD', '#GP', '#SS', '#PF', '#BP', '#AC', '#OF', '#MF', '#XM']);

export function parseOutcomes(text: string, cases: readonly NativeCase[]): NativeOutcome[] {
  const lines = text.split('\n').filter((l) => l.length > 0);
  if (lines.length !== cases.length) throw new Error(`the host harness answered ${lines.length} cases out of ${cases.length}`);
  return lines.map((line, i) => {
    const f = line.split(' ');
    const simd = cases[i].simd !== undefined;
    if (f.length !== (simd ? 22 : 21) || f[0] !== cases[i].id) throw new Error(`harness output line ${i + 1} is malformed or out of order: ${line.slice(0, 80)}`);
    const outcome: NativeOutcome = {
      regs: Object.fromEntries(GPR_NAMES.map((n, k) => [n, `0x${f[1 + k]}`])) as NativeOutcome['regs'],
      rflags: `0x${f[17]}`,
      data: f[20],
    };
    if (simd) outcome.simd = simdFields(f[21]);
    if (f[18] !== '-') {
      if (!FAULTS.has(f[18])) throw new Error(`harness output line ${i + 1}: unknown fault ${f[18]}`);
      outcome.fault = f[18] as NativeFault;
      outcome.faultRip = `0x${f[19]}`;
    }
    return outcome;
  });
}

/** "AMD EPYC (family 26, model 2, stepping 1)": the CPU the outcomes come from. */
export function hostCpu(): string {
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    const field = (name: string) => new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm').exec(info)?.[1]?.trim() ?? '?';
    return `${field('model name')} (family ${field('cpu family')}, model ${field('model')}, stepping ${field('stepping')})`;
  } catch {
    return 'unknown';
  }
}

export function hostKernel(): string {
  return `Linux ${release()}`;
}

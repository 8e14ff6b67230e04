/** Builds the C harness with the host's gcc and runs cases on the host CPU. */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { release, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
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
    dispose() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}


const strip = (hex: string) => hex.replace(/^0x/, '');

/** One line of the harness's input format (see harness.c). */
export function caseLine(c: NativeCase): string {
  return [c.id, c.code || '-', ...GPR_NAMES.map((n) => strip(c.regs[n])), strip(c.rflags), c.data || '-'].join(' ');
}

const FAULTS = new Set<string>(['#DE', '#UD', '#GP', '#SS', '#PF', '#BP', '#AC', '#OF']);

export function parseOutcomes(text: string, cases: readonly NativeCase[]): NativeOutcome[] {
  const lines = text.split('\n').filter((l) => l.length > 0);
  if (lines.length !== cases.length) throw new Error(`the host harness answered ${lines.length} cases out of ${cases.length}`);
  return lines.map((line, i) => {
    const f = line.split(' ');
    if (f.length !== 21 || f[0] !== cases[i].id) throw new Error(`harness output line ${i + 1} is malformed or out of order: ${line.slice(0, 80)}`);
    const outcome: NativeOutcome = {
      regs: Object.fromEntries(GPR_NAMES.map((n, k) => [n, `0x${f[1 + k]}`])) as NativeOutcome['regs'],
      rflags: `0x${f[17]}`,
      data: f[20],
    };
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

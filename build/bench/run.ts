// `npm run bench [-- --json] [-- --only PREFIX]`: every figure under build/bench/figures, each a median over several runs.
// Each figure file is measured in a process of its own, so that no figure inherits another's heap, JIT
// state or deoptimizations: a figure's value does not depend on which figures ran before it.
import { fork, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Figure } from './figure.ts';
import { ratiosToPeers, type Measured } from './peer-ratios.ts';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const asJson = args.includes('--json');
const option = (flag: string): string | undefined => {
  const at = args.indexOf(flag);
  return at >= 0 ? args[at + 1] : undefined;
};
const only = option('--only');
const oneFile = option('--file');

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** This process's CPU affinity as a taskset list ("0,1", "0-3"), or null where taskset cannot set one. */
function affinity(): string | null {
  if (process.platform !== 'linux') return null;
  const shown = spawnSync('taskset', ['-cp', String(process.pid)], { encoding: 'utf8' });
  return shown.status === 0 ? (/:\s*(\S+)\s*$/.exec(shown.stdout)?.[1] ?? null) : null;
}

/**
 * Holds this process's main thread on `cpus` (a taskset list). V8's collector and compiler threads
 * stay free to run beside it, as they do in any run of the lab; processes the figure starts inherit it.
 */
function pinTo(cpus: string): void {
  spawnSync('taskset', ['-cp', cpus, String(process.pid)], { stdio: 'ignore' });
}

let unpinnedNoted = false;

/** Runs `work` with the main thread on one CPU (the first this process may use) and restores its affinity after. */
async function onOneCpu<T>(work: () => Promise<T>): Promise<T> {
  const all = affinity();
  const first = all?.match(/^\d+/)?.[0];
  if (!all || first === undefined) {
    if (!unpinnedNoted) process.stderr.write('bench: taskset is not available here, so single-threaded figures run unpinned\n');
    unpinnedNoted = true;
    return work();
  }
  pinTo(first);
  try {
    return await work();
  } finally {
    pinTo(all);
  }
}

/** Measures the figures of one file in this process; the results go to the parent over IPC. */
async function measureFile(file: string): Promise<Record<string, Measured>> {
  const mod = (await import(pathToFileURL(join(here, 'figures', file)).href)) as { figures: Figure[] };
  const results: Record<string, Measured> = {};
  for (const figure of mod.figures) {
    if (only && !figure.name.startsWith(only)) continue;
    const sample = async (): Promise<number[]> => {
      const samples: number[] = [];
      for (let i = 0; i < (figure.warmups ?? 0); i++) await figure.measure();
      for (let i = 0; i < (figure.runs ?? 5); i++) {
        const value = await figure.measure();
        if (value === null) break;
        samples.push(value);
      }
      return samples;
    };
    let samples: number[];
    try {
      samples = figure.pinned ? await onOneCpu(sample) : await sample();
    } catch (error) {
      // The other figures still run; the bench ends with a failure.
      process.stderr.write(`${figure.name.padEnd(36)} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
      continue;
    }
    if (samples.length === 0) {
      process.stderr.write(`${figure.name.padEnd(36)} not measured here\n`);
      continue;
    }
    const value = Number(median(samples).toPrecision(4));
    results[figure.name] = { value, unit: figure.unit };
    process.stderr.write(
      `${figure.name.padEnd(36)} ${String(value).padStart(10)} ${figure.unit}   (median of ${samples.length}${figure.pinned ? ', on one CPU' : ''})\n`,
    );
  }
  return results;
}

/** Runs this script again for one figure file (the TypeScript loader comes along in execArgv). */
function measureInChild(file: string): Promise<Record<string, Measured>> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), ['--file', file, ...(only ? ['--only', only] : [])], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let results: Record<string, Measured> | null = null;
    child.on('message', (message) => {
      results = message as Record<string, Measured>;
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0 && results) resolve(results);
      else reject(Object.assign(new Error(`bench: ${file} ${signal ? `was killed by ${signal}` : `exited with ${code}`}`), { results }));
    });
  });
}

/**
 * Files whose figures churn through memory and processes (fuzzing, the server soak, the store's
 * kills, a browser) run last: on this virtual machine a process started after them ran slower for
 * tens of seconds (int_iretq 24 M instr/s right after the fuzz figures, 42 twenty seconds later).
 */
const LAST = ['reliability.ts', 'ui.ts'];

function figureFiles(): string[] {
  const files = readdirSync(join(here, 'figures'))
    .filter((f) => f.endsWith('.ts'))
    .sort();
  return [...files.filter((f) => !LAST.includes(f)), ...LAST.filter((f) => files.includes(f))];
}

if (oneFile) {
  const results = await measureFile(oneFile);
  await new Promise<void>((resolve, reject) => process.send!(results, undefined, {}, (error: Error | null) => (error ? reject(error) : resolve())));
  process.disconnect?.();
} else {
  const results: Record<string, Measured> = {};
  const failed: string[] = [];
  for (const file of figureFiles()) {
    try {
      Object.assign(results, await measureInChild(file));
    } catch (error) {
      const partial = (error as { results?: Record<string, Measured> | null }).results;
      if (partial) Object.assign(results, partial);
      failed.push(file);
    }
  }
  const ratios = ratiosToPeers(results);
  for (const [name, ratio] of Object.entries(ratios)) {
    process.stderr.write(`${name.padEnd(36)} ${String(ratio.value).padStart(10)} x   (${ratio.of})\n`);
    results[name] = { value: ratio.value, unit: ratio.unit };
  }
  const report = { machine: { cpus: cpus().length, node: process.version }, figures: results };
  if (asJson) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  if (failed.length > 0) {
    process.stderr.write(`bench: figures failed in ${failed.join(', ')} (above); every other figure is reported\n`);
    process.exitCode = 1;
  }
}

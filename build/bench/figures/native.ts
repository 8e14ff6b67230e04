// native.alu_loop_mips / native.call_loop_mips: the benchmark loops run directly on the host CPU,
// the yardstick for the emulator's figures on identical machine code.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Figure } from '../figure.ts';
import { benchLoops, type BenchLoop } from '../loops.ts';

// Maps the loop's code executable, calls it as f(buf, 0, iterations) and prints the seconds taken.
const RUNNER = String.raw`
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
typedef void (*loop_fn)(void *buf, uint64_t unused, uint64_t iterations);
int main(int argc, char **argv) {
  if (argc != 3) { fprintf(stderr, "usage: runner HEXCODE ITERATIONS\n"); return 2; }
  size_t n = strlen(argv[1]) / 2;
  uint8_t *code = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (code == MAP_FAILED || n > 4096) { fprintf(stderr, "runner: cannot map the code\n"); return 2; }
  for (size_t i = 0; i < n; i++) { unsigned b; sscanf(argv[1] + 2 * i, "%2x", &b); code[i] = (uint8_t)b; }
  uint64_t iterations = strtoull(argv[2], NULL, 10);
  static uint64_t buf[2] __attribute__((aligned(16)));
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  ((loop_fn)(uintptr_t)code)(buf, 0, iterations);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  printf("%.9f\n", (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
  return 0;
}
`;

const ITERATIONS = 50_000_000;
let runner: string | null | undefined;

function buildRunner(): string | null {
  if (runner !== undefined) return runner;
  runner = null;
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    process.stderr.write(`native figures: the host is ${process.platform}/${process.arch}, not x86-64 Linux\n`);
    return runner;
  }
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-bench-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'runner.c'), RUNNER);
  const gcc = spawnSync('gcc', ['-O2', '-o', join(dir, 'runner'), join(dir, 'runner.c')], { encoding: 'utf8' });
  if (gcc.error || gcc.status !== 0) {
    process.stderr.write(`native figures: cannot build the runner (${gcc.error ? 'gcc not found' : gcc.stderr.trim()})\n`);
    return runner;
  }
  return (runner = join(dir, 'runner'));
}

function measure(loop: BenchLoop): number | null {
  const binary = buildRunner();
  if (!binary) return null;
  const hex = Buffer.from(loop.code).toString('hex');
  const run = spawnSync(binary, [hex, String(ITERATIONS)], { encoding: 'utf8' });
  const seconds = Number(run.stdout.trim());
  if (run.status !== 0 || !(seconds > 0)) {
    process.stderr.write(`native figures: the runner failed on ${loop.name}: ${run.stderr.trim() || `status ${run.status}`}\n`);
    return null;
  }
  return (ITERATIONS * loop.perIteration + loop.fixed) / seconds / 1e6;
}

export const figures: Figure[] = benchLoops.map((loop) => ({
  name: `native.${loop.name}_mips`,
  unit: 'M instr/s',
  runs: 5,
  pinned: true,
  measure: () => Promise.resolve(measure(loop)),
}));

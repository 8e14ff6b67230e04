// `npm run bench [-- --json] [-- --only PREFIX]`: every figure under build/bench/figures, each a median over several runs.
import { readdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Figure } from './figure.ts';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const asJson = args.includes('--json');
const onlyAt = args.indexOf('--only');
const only = onlyAt >= 0 ? args[onlyAt + 1] : undefined;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const figures: Figure[] = [];
for (const file of readdirSync(join(here, 'figures'))
  .filter((f) => f.endsWith('.ts'))
  .sort()) {
  const mod = (await import(pathToFileURL(join(here, 'figures', file)).href)) as { figures: Figure[] };
  figures.push(...mod.figures);
}

const results: Record<string, { value: number; unit: string }> = {};
for (const figure of figures) {
  if (only && !figure.name.startsWith(only)) continue;
  const samples: number[] = [];
  for (let i = 0; i < (figure.warmups ?? 0); i++) await figure.measure();
  for (let i = 0; i < (figure.runs ?? 5); i++) {
    const value = await figure.measure();
    if (value === null) break;
    samples.push(value);
  }
  if (samples.length === 0) {
    process.stderr.write(`${figure.name.padEnd(36)} not measured here\n`);
    continue;
  }
  const value = Number(median(samples).toPrecision(4));
  results[figure.name] = { value, unit: figure.unit };
  process.stderr.write(`${figure.name.padEnd(36)} ${String(value).padStart(10)} ${figure.unit}   (median of ${samples.length})\n`);
}

const report = { machine: { cpus: cpus().length, node: process.version }, figures: results };
if (asJson) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);

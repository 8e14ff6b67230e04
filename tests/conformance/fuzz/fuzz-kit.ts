// A small seeded mutation fuzzer: each target takes outside input, has seed inputs and a corpus of
// inputs that once failed (tests/fixtures/fuzz/<target>/), and says which exceptions are its clear
// refusals. Everything else it throws, any input over the per-input time limit, and heap growth
// past the bound is a failure reported with the seed and the input, to be kept in the corpus.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CORPUS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../fixtures/fuzz');

export interface FuzzTarget {
  name: string;
  seeds: () => string[];
  /** Runs one input; returns normally or throws one of the target's own refusals. */
  run: (input: string) => unknown | Promise<unknown>;
  /** Whether a thrown error is a refusal the target means (a clear message), not a bug. */
  isRefusal: (error: unknown) => boolean;
  /** Words the mutator splices in: the target's grammar, roughly. */
  dictionary: string[];
  /** JSON input: half the mutations then edit the parsed tree, so most mutants get past the JSON parser. */
  json?: boolean;
}

export interface FuzzReport {
  executions: number;
  refusals: number;
  slowestMs: number;
  failures: string[];
}

export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const INTERESTING = ['0', '-1', '0x7fffffffffffffff', '0xffffffffffffffff', '1e308', 'NaN', '""', 'null', '[]', '{}', '\u0000', '\ud800', '%', '\\', '"', '\n', '9'.repeat(40)];

/** One mutation: a splice of a dictionary word or interesting value, a deletion, a duplication, a byte flip or a truncation. */
export function mutate(input: string, rand: () => number, dictionary: string[]): string {
  const at = () => Math.floor(rand() * (input.length + 1));
  const pick = <T>(list: T[]) => list[Math.floor(rand() * list.length)];
  switch (Math.floor(rand() * 7)) {
    case 0: { const i = at(); return input.slice(0, i) + pick(dictionary) + input.slice(i); }
    case 1: { const i = at(); return input.slice(0, i) + pick(INTERESTING) + input.slice(i); }
    case 2: { const i = at(); return input.slice(0, i) + input.slice(i + 1 + Math.floor(rand() * 16)); }
    case 3: { const i = at(); const j = Math.min(input.length, i + Math.floor(rand() * 64)); return input.slice(0, j) + input.slice(i, j) + input.slice(j); }
    case 4: { const i = at(); return input.slice(0, i) + String.fromCharCode(Math.floor(rand() * 256)) + input.slice(i + 1); }
    case 5: return input.slice(0, at());
    default: {
      // Replace a number with an extreme one: where lengths, counts and addresses hide.
      const numbers = [...input.matchAll(/\d+/g)];
      if (numbers.length === 0) return input + pick(INTERESTING);
      const m = pick(numbers);
      return input.slice(0, m.index) + pick(INTERESTING) + input.slice(m.index + m[0].length);
    }
  }
}

const JSON_VALUES: unknown[] = [0, -1, 1.5, 2 ** 53 + 1, -(2 ** 63), 1e308, '', 'x'.repeat(5000), '0x0', '0xffffffffffffffff', '-0x1', '0x', '../../etc', null, true, [], {}, [[[[]]]], { __proto__: 1 }];

/** Replaces, deletes or duplicates one node of a parsed JSON tree. */
export function mutateJson(input: string, rand: () => number): string {
  let tree: unknown;
  try {
    tree = JSON.parse(input);
  } catch {
    return input;
  }
  const nodes: [Record<string, unknown> | unknown[], string | number][] = [];
  const walk = (node: unknown) => {
    if (node === null || typeof node !== 'object') return;
    for (const key of Object.keys(node)) {
      nodes.push([node as Record<string, unknown>, Array.isArray(node) ? Number(key) : key]);
      walk((node as Record<string, unknown>)[key]);
    }
  };
  walk(tree);
  if (nodes.length === 0) return JSON.stringify(JSON_VALUES[Math.floor(rand() * JSON_VALUES.length)]);
  const [parent, key] = nodes[Math.floor(rand() * nodes.length)];
  const choice = rand();
  if (choice < 0.15 && !Array.isArray(parent)) delete parent[key as string];
  else if (choice < 0.25 && Array.isArray(parent)) parent.splice(key as number, 0, ...Array.from({ length: 1 + Math.floor(rand() * 3) }, () => structuredClone(parent[key as number])));
  else if (choice < 0.35) (parent as Record<string, unknown>)[`${String(key)}x`] = 1;
  else (parent as Record<string | number, unknown>)[key] = structuredClone(JSON_VALUES[Math.floor(rand() * JSON_VALUES.length)]);
  return JSON.stringify(tree);
}

export function corpus(target: string): { name: string; input: string }[] {
  const dir = join(CORPUS_DIR, target);
  if (!existsSync(dir)) return [];
  return readdirSync(dir).sort().map((name) => ({ name, input: readFileSync(join(dir, name), 'utf8') }));
}

function describeInput(input: string): string {
  return input.length <= 400 ? JSON.stringify(input) : `${JSON.stringify(input.slice(0, 400))}... (${input.length} chars, base64 ${Buffer.from(input).toString('base64').slice(0, 2000)})`;
}

/** The JavaScript heap plus ArrayBuffers (where byte buffers live, outside heapUsed). */
function heapBytes(): number {
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

async function once(target: FuzzTarget, input: string, label: string, limits: { perInputMs: number; heapGrowthBytes: number }, report: FuzzReport): Promise<void> {
  const heapBefore = heapBytes();
  const started = performance.now();
  try {
    await target.run(input);
  } catch (error) {
    if (target.isRefusal(error)) report.refusals++;
    else report.failures.push(`${target.name} ${label}: threw ${error instanceof Error ? (error.stack ?? error.message).split('\n').slice(0, 4).join(' | ') : String(error)} on ${describeInput(input)}`);
  }
  const ms = performance.now() - started;
  report.executions++;
  report.slowestMs = Math.max(report.slowestMs, ms);
  if (ms > limits.perInputMs) report.failures.push(`${target.name} ${label}: took ${Math.round(ms)} ms (limit ${limits.perInputMs}) on ${describeInput(input)}`);
  const grown = heapBytes() - heapBefore;
  if (grown > limits.heapGrowthBytes) report.failures.push(`${target.name} ${label}: heap grew by ${Math.round(grown / 2 ** 20)} MiB on ${describeInput(input)}`);
}

/** The corpus first, then `executions` mutants (1 to 4 mutations of a seed or an earlier mutant), stopping early at `budgetMs`. */
export async function fuzz(target: FuzzTarget, options: { seed: number; executions: number; budgetMs: number; perInputMs: number; heapGrowthBytes?: number }): Promise<FuzzReport> {
  const limits = { perInputMs: options.perInputMs, heapGrowthBytes: options.heapGrowthBytes ?? 256 * 2 ** 20 };
  const report: FuzzReport = { executions: 0, refusals: 0, slowestMs: 0, failures: [] };
  for (const kept of corpus(target.name)) await once(target, kept.input, `corpus ${kept.name}`, limits, report);
  const seeds = target.seeds();
  for (const seed of seeds) await once(target, seed, 'seed', limits, report);
  const pool = [...seeds];
  const deadline = performance.now() + options.budgetMs;
  for (let k = 0; k < options.executions && performance.now() < deadline && report.failures.length < 5; k++) {
    const caseSeed = options.seed + k;
    const rand = prng(caseSeed);
    let input = pool[Math.floor(rand() * pool.length)];
    for (let m = 1 + Math.floor(rand() * 4); m > 0; m--) input = target.json && rand() < 0.6 ? mutateJson(input, rand) : mutate(input, rand, target.dictionary);
    await once(target, input, `seed ${caseSeed}`, limits, report);
    if (pool.length < 200 && rand() < 0.1) pool.push(input);
  }
  return report;
}

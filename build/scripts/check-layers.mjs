// `npm run lint` (and `npm test`) runs this: the source folders are layers, and imports go one way.
//   1. No import cycles between files, counting type-only imports too (a cycle of types is still a knot to untie).
//   2. Inside emulator/, a runtime import goes down the stack arch ← memory ← cpu ← ops ← decode ← blocks ← machine;
//      isa/, asm/ and layout/ stand beside it and use only arch/.
//   3. Between the top folders: emulator/ imports nothing outside itself; exercises/engine/ only emulator/;
//      backend/ (the API, store, grading, server and CLI) nothing from electron/ (the desktop shell) or renderer/;
//      renderer/ reaches the backend only through the API contract.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';

const SOURCE_ROOTS = ['emulator', 'exercises/engine', 'backend', 'electron', 'renderer/src'];
const SKIP = new Set(['node_modules', 'dist']);

/** Rank of each emulator folder: a runtime import may only go to an equal or lower rank. */
const EMULATOR_RANKS = { arch: 0, memory: 1, cpu: 2, ops: 3, decode: 4, blocks: 4.5, debug: 5, scenario: 5, '.': 5 };
const BESIDE_THE_STACK = new Set(['isa', 'asm', 'layout']);

const IMPORT = /^\s*(import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]/gm;
const DYNAMIC = /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

export function sourceFiles(root) {
  const files = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir)) {
      if (SKIP.has(entry)) continue;
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.(ts|svelte)$/.test(entry) && !/\.d\.ts$/.test(entry)) files.push(path);
    }
  };
  for (const top of SOURCE_ROOTS) if (existsSync(join(root, top))) walk(join(root, top));
  return files;
}

/** The relative imports of one file: `{ target, typeOnly, line }`. */
export function importsOf(file, text = readFileSync(file, 'utf8')) {
  const found = [];
  const lineAt = (index) => text.slice(0, index).split('\n').length;
  for (const m of text.matchAll(IMPORT)) {
    if (m[3].startsWith('.')) found.push({ target: resolve(dirname(file), m[3]), typeOnly: Boolean(m[2]), line: lineAt(m.index) });
  }
  for (const m of text.matchAll(DYNAMIC)) {
    if (m[1].startsWith('.')) found.push({ target: resolve(dirname(file), m[1]), typeOnly: false, line: lineAt(m.index) });
  }
  return found;
}

function cyclesIn(graph) {
  let counter = 0;
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const cycles = [];
  const visit = (v) => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
    }
    if (low.get(v) === index.get(v)) {
      const members = [];
      let w;
      do {
        w = stack.pop();
        onStack.delete(w);
        members.push(w);
      } while (w !== v);
      if (members.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(members);
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return cycles;
}

function emulatorFolder(rel) {
  const parts = rel.split('/');
  return parts.length === 2 ? '.' : parts[1];
}

/** What is wrong with one runtime import `from → to` (paths relative to the root, with /), or null. */
export function layerViolation(from, to) {
  const top = (p) => (p.startsWith('exercises/engine/') ? 'engine' : p.startsWith('renderer/') ? 'renderer' : p.split('/')[0]);
  const [a, b] = [top(from), top(to)];
  if (a === 'emulator' && b !== 'emulator') return 'emulator/ imports nothing outside itself';
  if (a === 'engine' && b !== 'engine' && b !== 'emulator') return 'exercises/engine/ imports only emulator/';
  if (a === 'renderer' && (b === 'electron' || (b === 'backend' && to !== 'backend/api/contract.ts')))
    return 'renderer/ reaches the backend only through backend/api/contract.ts';
  if (a === 'backend' && (b === 'electron' || b === 'renderer'))
    return 'backend/ runs without Electron and without a page: it imports nothing from electron/ or renderer/';
  if (a !== 'emulator' || b !== 'emulator') return null;
  const [fa, fb] = [emulatorFolder(from), emulatorFolder(to)];
  if (fa === fb) return null;
  if (BESIDE_THE_STACK.has(fa)) return fb === 'arch' ? null : `emulator/${fa}/ stands beside the CPU and imports only emulator/arch/`;
  if (BESIDE_THE_STACK.has(fb)) return null;
  const [ra, rb] = [EMULATOR_RANKS[fa], EMULATOR_RANKS[fb]];
  if (ra === undefined) return `emulator/${fa}/ has no place in the layer order (build/scripts/check-layers.mjs)`;
  if (rb === undefined) return `emulator/${fb}/ has no place in the layer order (build/scripts/check-layers.mjs)`;
  return rb > ra ? `emulator/${fa}/ is below emulator/${fb}/ (arch ← memory ← cpu ← ops ← decode ← blocks ← machine): move the shared part down` : null;
}

export function checkLayers(root) {
  const files = sourceFiles(root);
  const rel = (p) => relative(root, p).split(sep).join('/');
  const graph = new Map();
  const problems = [];
  for (const file of files) {
    const imports = importsOf(file);
    graph.set(
      file,
      imports.map((i) => i.target),
    );
    for (const i of imports) {
      if (i.typeOnly) continue;
      const why = layerViolation(rel(file), rel(i.target));
      if (why) problems.push(`${rel(file)}:${i.line}: imports ${rel(i.target)}: ${why}`);
    }
  }
  for (const cycle of cyclesIn(graph)) problems.push(`import cycle: ${cycle.map(rel).sort().join(' ↔ ')}`);
  return { files: files.length, problems };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const root = resolve(dirname(new URL(import.meta.url).pathname), '..', '..');
  const { files, problems } = checkLayers(root);
  for (const p of problems) process.stderr.write(`${p}\n`);
  process.stderr.write(`layers: ${files} files, ${problems.length} problem(s)\n`);
  process.exit(problems.length > 0 ? 1 : 0);
}

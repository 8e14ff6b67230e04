// Build steps shared by `npm run build`, `npm start`, `npm test` and the end-to-end setup.
// Each step runs only when an input is newer than its output.
import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { root } from './ensure-deps.mjs';

const SKIP = new Set(['node_modules', 'dist', '.git']);

function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) {
    if (!SKIP.has(entry)) newest = Math.max(newest, newestMtime(join(path, entry)));
  }
  return newest;
}

export function isStale(output, inputs) {
  if (!existsSync(output)) return true;
  const built = statSync(output).mtimeMs;
  return inputs.some((input) => newestMtime(resolve(root, input)) > built);
}

const rendererInputs = ['renderer', 'backend/api/contract.ts', 'emulator', 'exercises/engine', 'package-lock.json'];
const electronInputs = ['electron', 'backend', 'emulator', 'exercises/engine', 'package.json', 'package-lock.json', 'build/scripts/build-lib.mjs'];
export const cliInputs = [...electronInputs, 'build/scripts/grade-worker-entry.ts'];
const learnerPackInputs = ['exercises', 'backend/grading/pack-dir.ts', 'build/scripts/learner-pack.ts'];

export const rendererIndex = join(root, 'renderer', 'dist', 'index.html');
export const electronMain = join(root, 'dist', 'electron', 'main.cjs');
export const electronPreload = join(root, 'dist', 'electron', 'preload.cjs');
export const cliMain = join(root, 'dist', 'cli', 'main.mjs');
export const cliGradeWorker = join(root, 'dist', 'cli', 'grade-worker.mjs');
/** What the installer carries as exercises/pack (build/electron-builder.yml). */
export const learnerPackDir = join(root, 'dist', 'learner-pack');

export async function buildRenderer({ force = false } = {}) {
  if (!force && !isStale(rendererIndex, rendererInputs)) return false;
  const { build } = await import('vite');
  await build({ root: join(root, 'renderer'), logLevel: 'warn' });
  return true;
}

/**
 * The packages the bundles load at run time instead of containing them: a native addon and a WebAssembly
 * module. They are package.json's `dependencies`, all that an installer carries in node_modules.
 */
export const runtimePackages = ['better-sqlite3', 'iced-x86'];

const bundleOptions = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
  // A warning is a bundle that behaves unlike its sources (an emptied import.meta, say): fail instead.
  logOverride: { 'empty-import-meta': 'error', 'import-is-undefined': 'error', 'commonjs-variable-in-esm': 'error' },
  external: [...runtimePackages, '*.node'],
};

async function bundle(options) {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({ ...bundleOptions, ...options, external: [...bundleOptions.external, ...(options.external ?? [])] });
  if (result.warnings.length > 0) throw new Error(`esbuild: ${result.warnings.length} warning(s) building ${options.outfile ?? options.outdir}; see above`);
}

/** One CommonJS bundle for Electron, which provides `electron`. */
export async function bundleForElectron(entry, outfile) {
  await bundle({
    format: 'cjs',
    entryPoints: [entry],
    outfile,
    external: ['electron'],
    // The shared modules find their files from import.meta.url; in CommonJS that is the bundle's own file.
    define: { 'import.meta.url': '__bundleUrl' },
    banner: { js: "const __bundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  });
}

export async function buildElectron({ force = false } = {}) {
  if (!force && !isStale(electronMain, electronInputs) && !isStale(electronPreload, electronInputs)) return false;
  await bundleForElectron(join(root, 'electron', 'main.ts'), electronMain);
  await bundleForElectron(join(root, 'electron', 'preload.ts'), electronPreload);
  return true;
}

/** Whether the bundled command line is older than its sources (bin/switchyard.mjs rebuilds it then). */
export function isCliStale() {
  return isStale(cliMain, cliInputs) || isStale(cliGradeWorker, cliInputs);
}

/** The `switchyard` command line and its grading worker as plain JavaScript: no TypeScript loader at run time. */
export async function buildCli({ force = false } = {}) {
  if (!force && !isCliStale()) return false;
  const outdir = dirname(cliMain);
  // Built beside, then swapped in, so that a command starting meanwhile never sees half a build.
  const fresh = `${outdir}.${process.pid}.new`;
  rmSync(fresh, { recursive: true, force: true });
  await bundle({
    format: 'esm',
    // Each command is its own chunk, so `switchyard --help` loads a few kilobytes. The chunks sit beside
    // the entry points: modules find their neighbours (the grading worker) from import.meta.url.
    splitting: true,
    entryPoints: { main: join(root, 'backend', 'cli', 'main.ts'), 'grade-worker': join(root, 'build', 'scripts', 'grade-worker-entry.ts') },
    outdir: fresh,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunk-[hash]',
    // Bundled CommonJS packages (ws) still call require() for Node's own modules.
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    // The builders are for a checkout (`switchyard serve` rebuilds the interface there), loaded only when used.
    external: ['vite', 'esbuild', 'tsx'],
  });
  const old = `${outdir}.${process.pid}.old`;
  if (existsSync(outdir)) renameSync(outdir, old);
  renameSync(fresh, outdir);
  rmSync(old, { recursive: true, force: true });
  return true;
}

/** The pack the installer carries: the learner's copy of exercises/pack, checked to load. */
export async function buildLearnerPack({ force = false } = {}) {
  if (!force && !isStale(join(learnerPackDir, 'pack.yaml'), learnerPackInputs)) return false;
  const { tsImport } = await import('tsx/esm/api');
  const { writeLearnerPack } = await tsImport('./learner-pack.ts', import.meta.url);
  writeLearnerPack(join(root, 'exercises', 'pack'), learnerPackDir);
  return true;
}

/** The Electron executable when the optional `electron` package and its binary are installed. */
export function electronBinary() {
  try {
    const path = createRequire(join(root, 'package.json'))('electron');
    return typeof path === 'string' && existsSync(path) ? path : undefined;
  } catch {
    return undefined;
  }
}

export function electronVersion() {
  try {
    return createRequire(join(root, 'package.json'))('electron/package.json').version;
  } catch {
    return undefined;
  }
}

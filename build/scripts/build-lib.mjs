// Build steps shared by `npm run build`, `npm start`, `npm test` and the end-to-end setup.
// Each step runs only when an input is newer than its output.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
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

const rendererInputs = ['renderer', 'electron/api/contract.ts', 'emulator', 'exercises/engine', 'package-lock.json'];
const electronInputs = ['electron', 'emulator', 'exercises', 'package.json', 'package-lock.json'];

export const rendererIndex = join(root, 'renderer', 'dist', 'index.html');
export const electronMain = join(root, 'dist', 'electron', 'main.cjs');
export const electronPreload = join(root, 'dist', 'electron', 'preload.cjs');

export async function buildRenderer({ force = false } = {}) {
  if (!force && !isStale(rendererIndex, rendererInputs)) return false;
  const { build } = await import('vite');
  await build({ root: join(root, 'renderer'), logLevel: 'warn' });
  return true;
}

export async function buildElectron({ force = false } = {}) {
  if (!force && !isStale(electronMain, electronInputs) && !isStale(electronPreload, electronInputs)) return false;
  const esbuild = await import('esbuild');
  const common = {
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: 'linked',
    logLevel: 'warning',
    // Electron provides `electron`; native and WebAssembly modules load at run time from node_modules (or the Electron-ABI build).
    external: ['electron', 'better-sqlite3', 'iced-x86', '*.node'],
  };
  await esbuild.build({ ...common, entryPoints: [join(root, 'electron', 'main.ts')], outfile: electronMain });
  await esbuild.build({ ...common, entryPoints: [join(root, 'electron', 'preload.ts')], outfile: electronPreload });
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

/**
 * The emulator as the command line ships it: one esbuild bundle, loaded as plain JavaScript. The CPU
 * figures measure this build, not the sources through the TypeScript loader `npm run bench` runs
 * under, whose module bindings cost the interpreter and the compiled blocks alike.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

type Emulator = typeof import('./shipped-entry.ts');

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Bundles `entry` (a path under build/bench) the way the CLI is bundled and returns the file, inside
 * node_modules so that the bundle finds iced-x86 where the CLI's does. The caller removes it.
 */
export async function bundleForBench(entry: string): Promise<string> {
  const name = entry.replace(/\W+/g, '-');
  const outfile = join(root, 'node_modules', '.cache', 'switchyard-bench', `${name}-${process.pid}.mjs`);
  mkdirSync(dirname(outfile), { recursive: true });
  await build({
    entryPoints: [join(root, 'build', 'bench', entry)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['iced-x86'],
    logLevel: 'warning',
  });
  return outfile;
}

let loading: Promise<Emulator> | null = null;

export function shippedEmulator(): Promise<Emulator> {
  loading ??= (async () => {
    const outfile = await bundleForBench('shipped-entry.ts');
    try {
      return (await import(pathToFileURL(outfile).href)) as Emulator;
    } finally {
      rmSync(outfile, { force: true });
    }
  })();
  return loading;
}

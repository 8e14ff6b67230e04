// `npm run build`: the renderer, the Electron main process and preload, the command line, and (where
// Electron is installed) the Electron-ABI copy of better-sqlite3. `--force` rebuilds even what is
// current; `--installer` also writes the learner's copy of the pack that the installer carries.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ensureDeps, root } from './ensure-deps.mjs';

export async function buildAll({ force = false, native = true, installer = false } = {}) {
  const { buildCli, buildElectron, buildLearnerPack, buildRenderer, electronBinary } = await import('./build-lib.mjs');
  if (await buildRenderer({ force })) process.stderr.write('build: renderer → renderer/dist\n');
  if (await buildElectron({ force })) process.stderr.write('build: electron main and preload → dist/electron\n');
  if (await buildCli({ force })) process.stderr.write('build: command line → dist/cli\n');
  if (installer && (await buildLearnerPack({ force }))) process.stderr.write("build: the learner's copy of the pack → dist/learner-pack\n");
  if (native && electronBinary()) {
    const result = spawnSync(process.execPath, [join(root, 'build', 'scripts', 'build-native-electron.mjs')], { cwd: root, stdio: 'inherit' });
    if (result.status !== 0) throw new Error('the Electron-ABI build of better-sqlite3 failed');
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  ensureDeps();
  try {
    await buildAll({ force: process.argv.includes('--force'), installer: process.argv.includes('--installer') });
  } catch (error) {
    process.stderr.write(`build: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}

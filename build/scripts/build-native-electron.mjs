// Builds better-sqlite3 for Electron's ABI into build/native/electron/<platform>-<arch>/, apart from
// node_modules' own build, which Node (tests, the CLI) keeps using. Where Electron or its headers
// are not available it says "skipped: <reason>" and exits 0.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { root } from './ensure-deps.mjs';

const ELECTRON_HEADERS = 'https://electronjs.org/headers';
const require = createRequire(join(root, 'package.json'));
const platform = process.env.npm_config_platform || process.platform;
const arch = process.env.npm_config_arch || process.arch;
const outDir = join(root, 'build', 'native', 'electron', `${platform}-${arch}`);
const workDir = join(root, 'build', 'native', 'electron', '.work');
const devDir = join(workDir, 'headers');

function skip(reason) {
  process.stdout.write(`build-native-electron: skipped: ${reason}\n`);
  process.exit(0);
}

function versionOf(name) {
  try {
    return JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')).version;
  } catch {
    return undefined;
  }
}

function nodeGypScript() {
  try {
    return require.resolve('node-gyp/bin/node-gyp.js');
  } catch {
    const bundled = join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
    return existsSync(bundled) ? bundled : undefined;
  }
}

function gyp(args, cwd) {
  return spawnSync(process.execPath, [nodeGyp, ...args], { cwd, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, npm_config_nodedir: '' } });
}

const electronVersion = versionOf('electron');
if (!electronVersion) skip('electron is not installed (it is an optional dependency)');
const sqliteVersion = versionOf('better-sqlite3');
if (!sqliteVersion) skip('better-sqlite3 is not installed; run npm ci first');
const nodeGyp = nodeGypScript();
if (!nodeGyp) skip('node-gyp was not found');

const infoPath = join(outDir, 'build-info.json');
const wanted = { electron: electronVersion, betterSqlite3: sqliteVersion, platform, arch };
if (existsSync(join(outDir, 'better_sqlite3.node')) && existsSync(infoPath) && readFileSync(infoPath, 'utf8') === JSON.stringify(wanted, null, 2)) {
  process.stdout.write(`build-native-electron: up to date (better-sqlite3 ${sqliteVersion} for Electron ${electronVersion}, ${platform}-${arch})\n`);
  process.exit(0);
}

const target = [`--target=${electronVersion}`, `--arch=${arch}`, `--dist-url=${ELECTRON_HEADERS}`, `--devdir=${devDir}`];
mkdirSync(workDir, { recursive: true });
if (gyp(['install', ...target], workDir).status !== 0) skip(`the headers of Electron ${electronVersion} could not be fetched from ${ELECTRON_HEADERS}`);

// Build in a copy so node_modules/better-sqlite3/build (Node's ABI) is never touched.
const source = dirname(require.resolve('better-sqlite3/package.json'));
const copy = join(workDir, 'better-sqlite3');
rmSync(copy, { recursive: true, force: true });
cpSync(source, copy, { recursive: true, filter: (path) => !path.startsWith(join(source, 'build')) && !path.startsWith(join(source, 'node_modules')) });
const built = gyp(['rebuild', '--release', ...target], copy);
if (built.status !== 0) {
  process.stderr.write(`build-native-electron: node-gyp failed to build better-sqlite3 ${sqliteVersion} for Electron ${electronVersion}\n`);
  process.exit(1);
}
mkdirSync(outDir, { recursive: true });
cpSync(join(copy, 'build', 'Release', 'better_sqlite3.node'), join(outDir, 'better_sqlite3.node'));
writeFileSync(infoPath, JSON.stringify(wanted, null, 2));
rmSync(copy, { recursive: true, force: true });
process.stdout.write(
  `build-native-electron: built ${join('build', 'native', 'electron', `${platform}-${arch}`, 'better_sqlite3.node')} for Electron ${electronVersion}\n`,
);

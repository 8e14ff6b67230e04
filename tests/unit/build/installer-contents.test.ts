// What `npm run dist` puts in the app: build/electron-builder.yml's file rules, applied by electron-builder's
// own matcher to a checkout-shaped tree that holds the real learner's copy of the pack.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runtimePackages } from '../../../build/scripts/build-lib.mjs';
import { writeLearnerPack } from '../../../build/scripts/learner-pack.ts';
import { grade } from '../../../backend/grading/exercises.ts';
import { readPack } from '../../../backend/grading/pack-dir.ts';

const ROOT = join(dirname(new URL(import.meta.url).pathname), '..', '..', '..');
const PACK = join(ROOT, 'exercises', 'pack');
const config = parse(readFileSync(join(ROOT, 'build', 'electron-builder.yml'), 'utf8')) as Record<string, unknown>;

interface FileMatcher {
  from: string;
  to: string;
  isEmpty(): boolean;
  containsOnlyIgnore(): boolean;
  prependPattern(pattern: string): void;
  createFilter(): (file: string, stat: { isDirectory(): boolean }) => boolean;
}
const { getMainFileMatchers } = createRequire(import.meta.url)('app-builder-lib/out/fileMatcher.js') as {
  getMainFileMatchers(appDir: string, destination: string, macros: (p: string) => string, platformOptions: object, packager: object, outDir: string, electronCompile: boolean): FileMatcher[];
};

/** A checkout as `npm run dist` leaves it: every tracked file, the build outputs, and the learner's copy of the pack. */
function builtCheckout(): string {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-installer-'));
  const tracked = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter(Boolean);
  const built = ['dist/electron/main.cjs', 'dist/electron/main.cjs.map', 'dist/electron/preload.cjs', 'dist/cli/main.mjs', 'renderer/dist/index.html',
    'renderer/dist/assets/app.js', 'build/native/electron/linux-x64/better_sqlite3.node', 'build/native/electron/.work/headers/node.h'];
  for (const path of [...tracked, ...built]) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), path === 'package.json' ? readFileSync(join(ROOT, path)) : '');
  }
  writeLearnerPack(PACK, join(dir, 'dist', 'learner-pack'));
  return dir;
}

/** Every file the app would hold, by its path inside the app (node_modules aside: see the dependency checks). */
function shippedFiles(projectDir: string): Map<string, string> {
  const destination = join(projectDir, '.app');
  const macros = (pattern: string) => pattern.replace(/\$\{platform\}/g, 'linux').replace(/\$\{arch\}/g, 'x64');
  // The part of a platform packager that the matcher reads.
  const packager = { info: { projectDir, buildResourcesDir: 'build/resources', isPrepackedAppAsar: false, config, debugLogger: { isEnabled: false } } };
  const matchers = getMainFileMatchers(projectDir, destination, macros, {}, packager, join(projectDir, 'release'), false);
  const shipped = new Map<string, string>();
  for (const matcher of matchers) {
    // As electron-builder's AppFileWalker does: a copy with no filter of its own copies everything.
    if (matcher.isEmpty() || matcher.containsOnlyIgnore()) matcher.prependPattern('**/*');
    const filter = matcher.createFilter();
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const full = join(dir, name);
        if (name === 'node_modules' || name === '.git' || full === destination) continue;
        const stat = statSync(full);
        if (!filter(full, stat)) continue;
        if (stat.isDirectory()) walk(full);
        else shipped.set(relative(destination, join(matcher.to, relative(matcher.from, full))).split(sep).join('/'), full);
      }
    };
    walk(matcher.from);
  }
  return shipped;
}

describe('the installer', () => {
  const checkout = builtCheckout();
  afterAll(() => rmSync(checkout, { recursive: true, force: true }));
  const shipped = shippedFiles(checkout);
  const paths = [...shipped.keys()];
  const packIds = readPack(PACK).exercises.map((e) => e.id);

  it('carries the app: its manifest, bundles, interface and Electron-ABI addon', () => {
    for (const path of ['package.json', 'dist/electron/main.cjs', 'dist/electron/preload.cjs', 'renderer/dist/index.html', 'build/native/electron/linux-x64/better_sqlite3.node']) {
      expect(paths).toContain(path);
    }
  });

  it('carries no sources, tests, source maps, build scripts or command-line bundle', () => {
    expect(paths.filter((p) => /\.(ts|map|svelte)$/.test(p) || /^(tests|electron|emulator|renderer\/src|build\/scripts|dist\/cli|docs)\//.test(p) || p.includes('/.work/'))).toEqual([]);
  });

  it('carries every exercise a learner needs, and only from the learner\'s copy', () => {
    for (const id of packIds) for (const name of ['README.md', 'exercise.yaml', 'starter.s']) expect(paths).toContain(`exercises/pack/${id}/${name}`);
    for (const path of paths.filter((p) => p.startsWith('exercises/'))) expect(shipped.get(path)).toContain(`${sep}dist${sep}learner-pack${sep}`);
  });

  it('carries no answers: no reference solution, graded mistake, hidden check or hidden case', () => {
    expect(paths.filter((p) => /(^|\/)solution\.s$/.test(p) || p.includes('/mistakes/'))).toEqual([]);
    const specs = paths.filter((p) => p.endsWith('/exercise.yaml'));
    expect(specs).toHaveLength(packIds.length);
    for (const path of specs) {
      const spec = parse(readFileSync(shipped.get(path)!, 'utf8')) as { hidden_cases?: unknown; checks: { hidden?: boolean }[] };
      expect(spec.hidden_cases, path).toBeUndefined();
      expect(spec.checks.filter((c) => c.hidden), path).toEqual([]);
    }
    // And the full pack does have them, so the checks above can fail.
    expect(readdirSync(join(PACK, packIds[0]))).toContain('solution.s');
    expect(readFileSync(join(PACK, 'aligned-call', 'exercise.yaml'), 'utf8')).toMatch(/hidden: true/);
  });

  it('the lab grades with the pack it ships: a reference solution passes, a starter fails', () => {
    const learnerPack = readPack(join(checkout, 'dist', 'learner-pack'));
    const full = readPack(PACK);
    for (const id of ['save-context', 'aligned-call']) {
      const exercise = learnerPack.exercises.find((e) => e.id === id)!;
      expect(exercise.solution).toBeUndefined();
      expect(grade(exercise, full.exercises.find((e) => e.id === id)!.solution!).passed).toBe(true);
      expect(grade(exercise, exercise.starter).passed).toBe(false);
    }
  });
});

describe('what the installer runs on', () => {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean; devOptional?: boolean }> };

  it('its runtime dependencies are exactly what the bundles leave out', () => {
    expect(Object.keys(manifest.dependencies).sort()).toEqual([...runtimePackages].sort());
  });

  it('no build-time package is a runtime dependency', () => {
    const runtime = Object.entries(lock.packages).filter(([path, info]) => path !== '' && !info.dev && !info.devOptional).map(([path]) => path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length));
    const buildTools = /^(tsx|esbuild|@esbuild\/.*|vite|vitest|@vitest\/.*|typescript|electron-builder|app-builder-lib|eslint|svelte|svelte-check|monaco-editor|@playwright\/test|playwright)$/;
    expect(runtime.filter((name) => buildTools.test(name))).toEqual([]);
    expect(runtime).toEqual(expect.arrayContaining(runtimePackages));
  });

  it('sets the Electron fuses: no Node mode, no NODE_OPTIONS, no inspector, code only from an integrity-checked asar', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      onlyLoadAppFromAsar: true,
      enableEmbeddedAsarIntegrityValidation: true,
    });
  });

  it('names icons that exist in each platform\'s format', () => {
    const file = (path: string) => readFileSync(join(ROOT, path));
    const platform = (name: string) => config[name] as { icon: string };
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47]);
    expect(file(platform('win').icon).subarray(0, 4)).toEqual(Buffer.from([0, 0, 1, 0]));
    expect(file(platform('mac').icon).subarray(0, 4).toString('latin1')).toBe('icns');
    expect(file(platform('mac').icon).readUInt32BE(4)).toBe(file(platform('mac').icon).length);
    const linux = readdirSync(join(ROOT, platform('linux').icon));
    expect(linux).toContain('512x512.png');
    for (const name of linux) expect(file(join(platform('linux').icon, name)).subarray(0, 4), name).toEqual(png);
  });
});

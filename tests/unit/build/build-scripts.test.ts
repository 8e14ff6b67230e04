import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { bundleForElectron, isStale } from '../../../build/scripts/build-lib.mjs';
import { browserOpener } from '../../../backend/server/open-browser.ts';

describe('isStale', () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-stale-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const touch = (path: string, seconds: number) => {
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, '');
    utimesSync(path, seconds, seconds);
  };

  it.each([
    ['no output yet', [['a.ts', 100]], null, true],
    ['output newer than every input', [['a.ts', 100], ['deep/b.ts', 200]], 300, false],
    ['one input deep in a folder is newer', [['a.ts', 100], ['deep/b.ts', 400]], 300, true],
  ] as const)('%s', (name, inputs, outputTime, stale) => {
    const base = join(dir, name.replace(/\W+/g, '-'));
    for (const [path, seconds] of inputs) touch(join(base, 'src', path), seconds);
    // Folders count by their contents' times, not their own.
    utimesSync(join(base, 'src'), 1, 1);
    if (existsSync(join(base, 'src', 'deep'))) utimesSync(join(base, 'src', 'deep'), 1, 1);
    const output = join(base, 'out', 'index.html');
    if (outputTime !== null) touch(output, outputTime);
    expect(isStale(output, [join(base, 'src')])).toBe(stale);
  });
});

describe('browserOpener', () => {
  it.each([
    ['linux', ['xdg-open', ['http://127.0.0.1:1/?token=a']]],
    ['darwin', ['open', ['http://127.0.0.1:1/?token=a']]],
    ['win32', ['cmd', ['/c', 'start', '""', 'http://127.0.0.1:1/?token=a']]],
  ] as const)('%s', (platform, expected) => {
    expect(browserOpener('http://127.0.0.1:1/?token=a', platform)).toEqual(expected);
  });

  it('escapes & for cmd.exe', () => {
    expect(browserOpener('http://127.0.0.1:1/?a=1&token=b', 'win32')[1][3]).toBe('http://127.0.0.1:1/?a=1^&token=b');
  });
});

describe('the Electron bundles', () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-cjs-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('give import.meta.url the bundle\'s own file', async () => {
    writeFileSync(join(dir, 'url.ts'), 'process.stdout.write(import.meta.url);\n');
    await bundleForElectron(join(dir, 'url.ts'), join(dir, 'out', 'url.cjs'));
    expect(execFileSync(process.execPath, [join(dir, 'out', 'url.cjs')], { encoding: 'utf8' })).toBe(pathToFileURL(join(dir, 'out', 'url.cjs')).href);
  });

  it('refuse what CommonJS would silently empty', async () => {
    writeFileSync(join(dir, 'dirname.ts'), 'process.stdout.write(String(import.meta.dirname));\n');
    await expect(bundleForElectron(join(dir, 'dirname.ts'), join(dir, 'out', 'dirname.cjs'))).rejects.toThrow(/import\.meta/);
  });
});

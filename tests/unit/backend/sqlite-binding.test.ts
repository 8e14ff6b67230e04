import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { locateSqliteBinding, sqliteNativeBinding } from '../../../backend/native/sqlite-binding.ts';

const built = (paths: string[]) => (path: string) => paths.includes(path);
const rel = join('build', 'native', 'electron', 'linux-x64', 'better_sqlite3.node');
const base = { resourcesPath: undefined, appRoot: '/src/switchyard', platform: 'linux', arch: 'x64' };

describe('sqliteNativeBinding', () => {
  it('is undefined under Node, so better-sqlite3 loads its own build', () => {
    expect(sqliteNativeBinding()).toBeUndefined();
  });

  it.each([
    ['Node', { ...base, electronVersion: undefined, exists: built([join('/src/switchyard', rel)]) }, undefined],
    ['Electron in a checkout', { ...base, electronVersion: '45.4.1', exists: built([join('/src/switchyard', rel)]) }, join('/src/switchyard', rel)],
    [
      'a packaged app: unpacked from the asar',
      { ...base, electronVersion: '45.4.1', resourcesPath: '/opt/Switchyard/resources', appRoot: '/opt/Switchyard/resources/app.asar', exists: built([join('/opt/Switchyard/resources/app.asar.unpacked', rel)]) },
      join('/opt/Switchyard/resources/app.asar.unpacked', rel),
    ],
    ['Electron without an Electron build', { ...base, electronVersion: '45.4.1', exists: built([]) }, undefined],
    ['another architecture', { ...base, arch: 'arm64', electronVersion: '45.4.1', exists: built([join('/src/switchyard', rel)]) }, undefined],
  ])('%s', (_name, where, expected) => {
    expect(locateSqliteBinding(where)).toBe(expected);
  });
});

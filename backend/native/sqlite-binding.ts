import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** Where build/scripts/build-native-electron.mjs puts the Electron-ABI build of better-sqlite3. */
function electronSqliteRelativePath(platform: string = process.platform, arch: string = process.arch): string {
  return join('build', 'native', 'electron', `${platform}-${arch}`, 'better_sqlite3.node');
}

export interface BindingLocation {
  electronVersion: string | undefined;
  /** process.resourcesPath inside a packaged app. */
  resourcesPath: string | undefined;
  /** The folder holding package.json in a source checkout (the bundle lives in dist/electron). */
  appRoot: string;
  platform: string;
  arch: string;
  exists: (path: string) => boolean;
}

/**
 * Node and Electron need differently compiled copies of the addon. Under Node the answer is
 * undefined (better-sqlite3 loads its own build); under Electron it is the Electron-ABI build:
 * unpacked from the asar in a packaged app, under build/native/electron in a checkout.
 * Undefined too when no such build exists, and better-sqlite3's own error then says what is wrong.
 */
export function locateSqliteBinding(where: BindingLocation): string | undefined {
  if (!where.electronVersion) return undefined;
  const relative = electronSqliteRelativePath(where.platform, where.arch);
  const candidates = [
    ...(where.resourcesPath ? [join(where.resourcesPath, 'app.asar.unpacked', relative)] : []),
    join(where.appRoot, relative),
  ];
  return candidates.find((path) => where.exists(path));
}

export function sqliteNativeBinding(): string | undefined {
  const electronVersion = process.versions.electron;
  if (!electronVersion) return undefined;
  const resourcesPath = (process as { resourcesPath?: string }).resourcesPath;
  // Electron runs the CommonJS bundle in dist/electron, where __dirname is defined.
  const appRoot = typeof __dirname === 'string' ? join(__dirname, '..', '..') : process.cwd();
  return locateSqliteBinding({ electronVersion, resourcesPath, appRoot, platform: process.platform, arch: process.arch, exists: existsSync });
}

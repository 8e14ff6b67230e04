import { homedir } from 'node:os';
import path from 'node:path';

const PRODUCT_DIRECTORY_NAME = 'Switchyard';
export const DATABASE_FILE_NAME = 'progress.sqlite3';

export interface DataDirectoryInput {
  /** `process.platform` of the machine. */
  readonly platform: string;
  /** The environment variables (only SWITCHYARD_DATA_DIR, XDG_DATA_HOME and APPDATA are read). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The user's home directory. */
  readonly home: string;
  /** Electron's `app.getPath('userData')`, when running inside the desktop app. */
  readonly electronUserData?: string;
}

/**
 * Where the progress database lives. SWITCHYARD_DATA_DIR wins everywhere; inside Electron the
 * app's user-data directory comes next; otherwise each platform's convention for per-user
 * application data.
 */
export function dataDirectory(input: DataDirectoryInput): string {
  const paths = input.platform === 'win32' ? path.win32 : path.posix;
  const override = nonEmpty(input.env.SWITCHYARD_DATA_DIR);
  if (override !== undefined) {
    if (!paths.isAbsolute(override)) {
      throw new Error(`SWITCHYARD_DATA_DIR must be an absolute path, got "${override}"`);
    }
    return paths.normalize(override);
  }
  if (nonEmpty(input.electronUserData) !== undefined) return paths.normalize(input.electronUserData as string);
  if (!paths.isAbsolute(input.home)) {
    throw new Error(`cannot place the progress database: the home directory "${input.home}" is not an absolute path`);
  }
  switch (input.platform) {
    case 'win32': {
      const appData = nonEmpty(input.env.APPDATA);
      const base = appData !== undefined && paths.isAbsolute(appData) ? appData : paths.join(input.home, 'AppData', 'Roaming');
      return paths.join(base, PRODUCT_DIRECTORY_NAME);
    }
    case 'darwin':
      return paths.join(input.home, 'Library', 'Application Support', PRODUCT_DIRECTORY_NAME);
    default: {
      // XDG Base Directory Specification: a relative XDG_DATA_HOME is invalid and must be ignored.
      const xdg = nonEmpty(input.env.XDG_DATA_HOME);
      const base = xdg !== undefined && paths.isAbsolute(xdg) ? xdg : paths.join(input.home, '.local', 'share');
      return paths.join(base, PRODUCT_DIRECTORY_NAME);
    }
  }
}

export function databasePath(input: DataDirectoryInput): string {
  const paths = input.platform === 'win32' ? path.win32 : path.posix;
  return paths.join(dataDirectory(input), DATABASE_FILE_NAME);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

/** The database path for this process: Electron passes `app.getPath('userData')`, the CLI nothing. */
export function defaultDatabasePath(electronUserData?: string): string {
  return databasePath({ platform: process.platform, env: process.env, home: homedir(), electronUserData });
}

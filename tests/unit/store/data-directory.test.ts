import { describe, expect, it } from 'vitest';
import { dataDirectory, databasePath } from '../../../backend/store/data-directory.ts';

describe('dataDirectory', () => {
  it.each([
    ['linux, no XDG', 'linux', {}, '/home/ada', undefined, '/home/ada/.local/share/Switchyard'],
    ['linux, XDG_DATA_HOME', 'linux', { XDG_DATA_HOME: '/data/ada' }, '/home/ada', undefined, '/data/ada/Switchyard'],
    ['linux, relative XDG_DATA_HOME is ignored', 'linux', { XDG_DATA_HOME: 'rel/dir' }, '/home/ada', undefined, '/home/ada/.local/share/Switchyard'],
    ['linux, empty XDG_DATA_HOME is ignored', 'linux', { XDG_DATA_HOME: '' }, '/home/ada', undefined, '/home/ada/.local/share/Switchyard'],
    ['freebsd follows XDG', 'freebsd', {}, '/usr/home/ada', undefined, '/usr/home/ada/.local/share/Switchyard'],
    ['macOS', 'darwin', { XDG_DATA_HOME: '/ignored' }, '/Users/ada', undefined, '/Users/ada/Library/Application Support/Switchyard'],
    ['windows, APPDATA', 'win32', { APPDATA: 'C:\\Users\\ada\\AppData\\Roaming' }, 'C:\\Users\\ada', undefined, 'C:\\Users\\ada\\AppData\\Roaming\\Switchyard'],
    ['windows, no APPDATA', 'win32', {}, 'C:\\Users\\ada', undefined, 'C:\\Users\\ada\\AppData\\Roaming\\Switchyard'],
    ['override on linux', 'linux', { SWITCHYARD_DATA_DIR: '/srv/lab/', XDG_DATA_HOME: '/x' }, '/home/ada', '/electron/ud', '/srv/lab/'],
    ['override on windows', 'win32', { SWITCHYARD_DATA_DIR: 'D:\\lab' }, 'C:\\Users\\ada', undefined, 'D:\\lab'],
    ['electron userData', 'linux', { XDG_DATA_HOME: '/x' }, '/home/ada', '/home/ada/.config/Switchyard', '/home/ada/.config/Switchyard'],
    ['electron userData on windows', 'win32', {}, 'C:\\Users\\ada', 'C:\\Users\\ada\\AppData\\Roaming\\Switchyard', 'C:\\Users\\ada\\AppData\\Roaming\\Switchyard'],
  ])('%s', (_name, platform, env, home, electronUserData, expected) => {
    expect(dataDirectory({ platform, env, home, electronUserData })).toBe(expected);
  });

  it.each([
    ['relative override', 'linux', { SWITCHYARD_DATA_DIR: 'lab' }, '/home/ada', 'SWITCHYARD_DATA_DIR must be an absolute path, got "lab"'],
    ['posix path as a windows override', 'win32', { SWITCHYARD_DATA_DIR: 'lab\\x' }, 'C:\\Users\\ada', 'SWITCHYARD_DATA_DIR must be an absolute path, got "lab\\x"'],
    ['relative home', 'linux', {}, 'ada', 'cannot place the progress database: the home directory "ada" is not an absolute path'],
  ])('refuses a %s', (_name, platform, env, home, message) => {
    expect(() => dataDirectory({ platform, env, home })).toThrow(message);
  });

  it('names the database file inside the directory', () => {
    expect(databasePath({ platform: 'linux', env: {}, home: '/home/ada' })).toBe('/home/ada/.local/share/Switchyard/progress.sqlite3');
    expect(databasePath({ platform: 'win32', env: { APPDATA: 'C:\\A' }, home: 'C:\\U' })).toBe('C:\\A\\Switchyard\\progress.sqlite3');
  });
});

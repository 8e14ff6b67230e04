/** The desktop app's "save as": the system's save dialog, then the file written where the learner chose. */
import { writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, join } from 'node:path';
import type { BrowserWindow, ElectronMain } from './electron-api.ts';

export function saveWithDialog(electron: ElectronMain, window: () => BrowserWindow | undefined) {
  return async (suggestedName: string, text: string): Promise<string | null> => {
    const owner = window();
    const options = {
      title: 'Save',
      defaultPath: join(homedir(), basename(suggestedName)),
      filters: [{ name: 'JSON', extensions: ['json'] }],
    };
    const choice = owner ? await electron.dialog.showSaveDialog(owner, options) : await electron.dialog.showSaveDialog(options);
    if (choice.canceled || !choice.filePath) return null;
    writeFileSync(choice.filePath, text);
    return choice.filePath;
  };
}

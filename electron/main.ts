import { join } from 'node:path';
import { createEventHub } from '../backend/api/events.ts';
import { createBackendDispatcher } from '../backend/api/handlers/index.ts';
import { APP_SCHEME, APP_URL, appSchemePrivileges, serveAppRequest } from './shell/app-protocol.ts';
import type { BrowserWindow } from './shell/electron-api.ts';
import { loadElectronMain } from './shell/electron-api.ts';
import { guardWebContents, hardenSession, opensDevTools, secureWebPreferences } from './shell/hardening.ts';
import { EVENT_CHANNEL } from './shell/ipc-channels.ts';
import { registerIpc } from './shell/ipc.ts';
import { saveWithDialog } from './shell/save-dialog.ts';

// The Electron main process. Bundled to dist/electron/main.cjs next to preload.cjs.
const electron = loadElectronMain();
const { app } = electron;
// Development is running from a checkout (`npm start`); an installed app is never in it.
const development = !app.isPackaged;

electron.protocol.registerSchemesAsPrivileged([appSchemePrivileges]);
app.enableSandbox();

let mainWindow: BrowserWindow | undefined;

function createWindow(): void {
  const window = new electron.BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 720,
    minHeight: 480,
    show: false,
    backgroundColor: '#1e1e1e',
    title: 'Switchyard',
    webPreferences: secureWebPreferences(join(__dirname, 'preload.cjs'), { development }),
  });
  mainWindow = window;
  window.once('ready-to-show', () => window.show());
  window.on('closed', () => {
    if (mainWindow === window) mainWindow = undefined;
  });
  void window.loadURL(APP_URL);
  if (opensDevTools(development, process.env)) window.webContents.openDevTools();
}

function start(): void {
  const events = createEventHub();
  // The same data directory as the CLI (dataDirectory decides, SWITCHYARD_DATA_DIR first), not Electron's userData.
  const dispatch = createBackendDispatcher({
    platform: process.platform,
    packDir: join(app.getAppPath(), 'exercises', 'pack'),
    saveFile: saveWithDialog(electron, () => mainWindow),
  });
  events.subscribe((event) => {
    if (mainWindow && !mainWindow.webContents.isDestroyed()) mainWindow.webContents.send(EVENT_CHANNEL, event);
  });

  app.on('web-contents-created', (_event, contents) => guardWebContents(contents));
  app.on('window-all-closed', () => app.quit());
  app.on('activate', () => {
    if (!mainWindow) createWindow();
  });

  void app.whenReady().then(() => {
    const rendererDir = join(app.getAppPath(), 'renderer', 'dist');
    hardenSession(electron.session.defaultSession, { development });
    electron.protocol.handle(APP_SCHEME, (request) => serveAppRequest(request, rendererDir));
    registerIpc(electron, dispatch, () => mainWindow?.webContents.id);
    createWindow();
  });
}

// A second launch hands over to the running lab instead of opening a second database writer.
if (app.requestSingleInstanceLock()) start();
else app.quit();

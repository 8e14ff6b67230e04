/**
 * The part of Electron's main-process API the shell uses. Electron is an optional dependency (its
 * binary is not downloadable everywhere), so its type definitions may be absent: the shell is
 * typed against this subset and loads the module at run time.
 */
export interface WebPreferences {
  preload: string;
  devTools: boolean;
  contextIsolation: boolean;
  sandbox: boolean;
  nodeIntegration: boolean;
  nodeIntegrationInWorker: boolean;
  nodeIntegrationInSubFrames: boolean;
  webSecurity: boolean;
  allowRunningInsecureContent: boolean;
  webviewTag: boolean;
  experimentalFeatures: boolean;
  navigateOnDragDrop: boolean;
  spellcheck: boolean;
  safeDialogs: boolean;
}

export interface WebFrameMain {
  url: string;
  parent: WebFrameMain | null;
}

export interface Event {
  preventDefault(): void;
}

/** Navigation events carry the target URL on the event (will-frame-navigate passes nothing else). */
export interface NavigationEvent extends Event {
  url?: string;
}

export interface IpcMainInvokeEvent {
  sender: WebContents;
  senderFrame: WebFrameMain | null;
}

export interface WebContents {
  id: number;
  isDestroyed(): boolean;
  send(channel: string, ...args: unknown[]): void;
  on(event: 'will-navigate' | 'will-redirect' | 'will-frame-navigate', listener: (event: NavigationEvent, url?: string) => void): void;
  on(event: 'will-attach-webview', listener: (event: Event) => void): void;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
  openDevTools(): void;
}

export interface BrowserWindow {
  webContents: WebContents;
  loadURL(url: string): Promise<void>;
  once(event: 'ready-to-show', listener: () => void): void;
  on(event: 'closed', listener: () => void): void;
  show(): void;
}

export interface BrowserWindowConstructorOptions {
  width: number;
  height: number;
  minWidth: number;
  minHeight: number;
  show: boolean;
  backgroundColor: string;
  title: string;
  webPreferences: WebPreferences;
}

export interface Session {
  setPermissionRequestHandler(handler: (contents: WebContents, permission: string, callback: (granted: boolean) => void) => void): void;
  setPermissionCheckHandler(handler: (contents: WebContents | null, permission: string) => boolean): void;
  setDevicePermissionHandler?(handler: () => boolean): void;
  on(event: 'will-download', listener: (event: Event) => void): void;
  webRequest: {
    onBeforeRequest(listener: (details: { url: string }, callback: (response: { cancel: boolean }) => void) => void): void;
  };
}

export interface CustomScheme {
  scheme: string;
  privileges: {
    standard: boolean;
    secure: boolean;
    supportFetchAPI: boolean;
    corsEnabled: boolean;
    stream: boolean;
    codeCache: boolean;
    allowServiceWorkers: boolean;
    bypassCSP: boolean;
  };
}

export interface ElectronMain {
  app: {
    isPackaged: boolean;
    getAppPath(): string;
    getVersion(): string;
    whenReady(): Promise<void>;
    quit(): void;
    on(event: 'window-all-closed' | 'activate', listener: () => void): void;
    on(event: 'web-contents-created', listener: (event: Event, contents: WebContents) => void): void;
    requestSingleInstanceLock(): boolean;
    enableSandbox(): void;
  };
  BrowserWindow: new (options: BrowserWindowConstructorOptions) => BrowserWindow;
  ipcMain: {
    handle(channel: string, listener: (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown): void;
  };
  protocol: {
    registerSchemesAsPrivileged(schemes: CustomScheme[]): void;
    handle(scheme: string, handler: (request: Request) => Response | Promise<Response>): void;
  };
  session: { defaultSession: Session };
  dialog: {
    showSaveDialog(window: BrowserWindow, options: SaveDialogOptions): Promise<SaveDialogResult>;
    showSaveDialog(options: SaveDialogOptions): Promise<SaveDialogResult>;
  };
}

export interface SaveDialogOptions {
  title?: string;
  defaultPath?: string;
  filters?: { name: string; extensions: string[] }[];
}

export interface SaveDialogResult {
  canceled: boolean;
  filePath?: string;
}

export function loadElectronMain(): ElectronMain {
  // Runs only inside the bundled main process (CommonJS), where Electron provides this module.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('electron') as ElectronMain;
}

import { createBridge, type IpcRendererSubset } from './shell/bridge.ts';

interface ElectronRendererSubset {
  contextBridge: { exposeInMainWorld(key: string, api: unknown): void };
  ipcRenderer: IpcRendererSubset;
}

// A sandboxed preload: CommonJS, with `require('electron')` as the only module it may load.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { contextBridge, ipcRenderer } = require('electron') as ElectronRendererSubset;

contextBridge.exposeInMainWorld('switchyard', createBridge(ipcRenderer));

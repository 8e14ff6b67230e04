import type { SwitchyardBridge } from './api/contract.ts';
import { EVENT_CHANNEL, INVOKE_CHANNEL } from './shell/ipc-channels.ts';

interface IpcRendererSubset {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, payload: unknown) => void): void;
  removeListener(channel: string, listener: (event: unknown, payload: unknown) => void): void;
}

interface ElectronRendererSubset {
  contextBridge: { exposeInMainWorld(key: string, api: unknown): void };
  ipcRenderer: IpcRendererSubset;
}

// A sandboxed preload: CommonJS, with `require('electron')` as the only module it may load.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { contextBridge, ipcRenderer } = require('electron') as ElectronRendererSubset;

/** The page's only door to the backend. It never hands out ipcRenderer or IPC event objects. */
const bridge: SwitchyardBridge = {
  transport: 'electron',
  invoke: (method, args) => ipcRenderer.invoke(INVOKE_CHANNEL, String(method), args),
  onEvent(listener) {
    const forward = (_event: unknown, payload: unknown) => {
      const { name, payload: body } = (payload ?? {}) as { name?: unknown; payload?: unknown };
      if (typeof name === 'string') listener({ name, payload: body });
    };
    ipcRenderer.on(EVENT_CHANNEL, forward);
    return () => ipcRenderer.removeListener(EVENT_CHANNEL, forward);
  },
};

contextBridge.exposeInMainWorld('switchyard', bridge);

import type { SwitchyardBridge } from '../../backend/api/contract.ts';
import { EVENT_CHANNEL, INVOKE_CHANNEL } from './ipc-channels.ts';

/** The two ipcRenderer calls the bridge needs; the page never sees ipcRenderer itself. */
export interface IpcRendererSubset {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, payload: unknown) => void): void;
  removeListener(channel: string, listener: (event: unknown, payload: unknown) => void): void;
}

/**
 * What the preload exposes as `window.switchyard`. Calls go to the one invoke channel (the main
 * process checks the sender and validates them); events reach the page without the IPC event
 * object, whose `sender` would hand out ipcRenderer.
 */
export function createBridge(ipc: IpcRendererSubset): SwitchyardBridge {
  return {
    transport: 'electron',
    invoke: (method, args) => ipc.invoke(INVOKE_CHANNEL, String(method), args),
    onEvent(listener) {
      const forward = (_event: unknown, message: unknown) => {
        if (typeof message !== 'object' || message === null) return;
        const { name, payload } = message as { name?: unknown; payload?: unknown };
        if (typeof name === 'string') listener({ name, payload });
      };
      ipc.on(EVENT_CHANNEL, forward);
      return () => ipc.removeListener(EVENT_CHANNEL, forward);
    },
  };
}

import type { SwitchyardBridge } from '../../../../backend/api/contract.ts';
import type { Transport } from './transport.ts';

/** Electron: every call goes through the preload bridge, which forwards it over IPC. */
export function ipcTransport(bridge: SwitchyardBridge): Transport {
  return {
    kind: 'electron',
    invoke: (method, args) => bridge.invoke(method, args),
    onEvent: (listener) => bridge.onEvent(listener),
  };
}

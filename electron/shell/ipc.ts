import type { ApiResponse } from '../../backend/api/contract.ts';
import type { Dispatcher } from '../../backend/api/dispatch.ts';
import type { ElectronMain, IpcMainInvokeEvent } from './electron-api.ts';
import { INVOKE_CHANNEL } from './ipc-channels.ts';
import { isTrustedSender, type SenderFacts } from './sender.ts';

function senderFacts(event: IpcMainInvokeEvent): SenderFacts {
  return {
    webContentsId: event.sender.id,
    frameUrl: event.senderFrame?.url,
    isMainFrame: event.senderFrame !== null && event.senderFrame.parent === null,
  };
}

/** One handler carries every contract method; each call is checked for its sender, then dispatched (which validates it). */
export function registerIpc(electron: ElectronMain, dispatch: Dispatcher, windowWebContentsId: () => number | undefined): void {
  electron.ipcMain.handle(INVOKE_CHANNEL, async (event, method, args): Promise<ApiResponse> => {
    if (!isTrustedSender(senderFacts(event), windowWebContentsId())) {
      return { ok: false, error: { code: 'forbidden', message: 'this frame may not call the Switchyard backend' } };
    }
    return dispatch(method, args, { transport: 'electron' });
  });
}

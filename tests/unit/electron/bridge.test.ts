import { describe, expect, it } from 'vitest';
import { createBridge, type IpcRendererSubset } from '../../../electron/shell/bridge.ts';
import { EVENT_CHANNEL, INVOKE_CHANNEL } from '../../../electron/shell/ipc-channels.ts';

type Listener = (event: unknown, payload: unknown) => void;

function recordingIpc() {
  const invoked: unknown[][] = [];
  const listeners = new Map<string, Set<Listener>>();
  const ipc: IpcRendererSubset = {
    invoke: async (...args) => {
      invoked.push(args);
      return { ok: true, result: null };
    },
    on: (channel, listener) => void (listeners.get(channel) ?? listeners.set(channel, new Set()).get(channel)!).add(listener),
    removeListener: (channel, listener) => void listeners.get(channel)?.delete(listener),
  };
  const emit = (payload: unknown) => {
    for (const listener of listeners.get(EVENT_CHANNEL) ?? []) listener({ sender: 'the ipcRenderer object' }, payload);
  };
  return { ipc, invoked, listeners, emit };
}

describe('the preload bridge', () => {
  it('exposes only invoke, onEvent and its transport', () => {
    expect(Object.keys(createBridge(recordingIpc().ipc)).sort()).toEqual(['invoke', 'onEvent', 'transport']);
  });

  it('sends every call down the one invoke channel', async () => {
    const { ipc, invoked } = recordingIpc();
    const bridge = createBridge(ipc);
    await bridge.invoke('app.echo', { text: 'hi' });
    await bridge.invoke(42 as unknown as string, null);
    expect(invoked).toEqual([
      [INVOKE_CHANNEL, 'app.echo', { text: 'hi' }],
      [INVOKE_CHANNEL, '42', null],
    ]);
  });

  it.each([
    ['a well-formed event', { name: 'app.notice', payload: { level: 'info', message: 'hi' } }, [{ name: 'app.notice', payload: { level: 'info', message: 'hi' } }]],
    ['an event without a name', { payload: 1 }, []],
    ['a non-object', 'app.notice', []],
    ['null', null, []],
  ])('forwards %s without the IPC event object', (_name, message, expected) => {
    const { ipc, emit } = recordingIpc();
    const seen: unknown[] = [];
    createBridge(ipc).onEvent((event) => seen.push(event));
    emit(message);
    expect(seen).toEqual(expected);
    expect(JSON.stringify(seen)).not.toContain('ipcRenderer');
  });

  it('stops forwarding after unsubscribing', () => {
    const { ipc, emit, listeners } = recordingIpc();
    const seen: unknown[] = [];
    const stop = createBridge(ipc).onEvent((event) => seen.push(event));
    stop();
    emit({ name: 'app.notice', payload: {} });
    expect(seen).toEqual([]);
    expect(listeners.get(EVENT_CHANNEL)?.size).toBe(0);
  });
});

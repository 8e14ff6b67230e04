import { HTTP_API_PATH, HTTP_EVENTS_PATH, apiEventSchema } from '../../../../backend/api/contract.ts';
import type { RawEvent, Transport } from './transport.ts';

const RECONNECT_MIN_MS = 500;
const RECONNECT_MAX_MS = 10_000;

/**
 * Browser mode: calls are POSTed to the server that served this page, events arrive on a
 * WebSocket on the same origin. The token travels in the HttpOnly cookie the server set.
 */
export function httpTransport(origin: Location = window.location): Transport {
  const listeners = new Set<(event: RawEvent) => void>();
  let socket: WebSocket | undefined;
  let delay = RECONNECT_MIN_MS;

  function connect(): void {
    const scheme = origin.protocol === 'https:' ? 'wss:' : 'ws:';
    socket = new WebSocket(`${scheme}//${origin.host}${HTTP_EVENTS_PATH}`);
    socket.onopen = () => (delay = RECONNECT_MIN_MS);
    socket.onmessage = (message) => {
      const parsed = apiEventSchema.safeParse(JSON.parse(String(message.data)));
      if (parsed.success) for (const listener of listeners) listener(parsed.data);
    };
    socket.onclose = () => {
      socket = undefined;
      if (listeners.size === 0) return;
      setTimeout(() => listeners.size > 0 && !socket && connect(), delay);
      delay = Math.min(delay * 2, RECONNECT_MAX_MS);
    };
  }

  return {
    kind: 'browser',
    async invoke(method, args) {
      const response = await fetch(HTTP_API_PATH, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ method, args }),
      });
      if (response.headers.get('content-type')?.startsWith('application/json')) return response.json();
      const text = (await response.text()).trim();
      return { ok: false, error: { code: response.status === 401 || response.status === 403 ? 'forbidden' : 'bad-request', message: `HTTP ${response.status}: ${text}` } };
    },
    onEvent(listener) {
      listeners.add(listener);
      if (!socket) connect();
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0) socket?.close();
      };
    },
  };
}

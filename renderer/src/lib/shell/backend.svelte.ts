import type { MethodResult } from '../../../../backend/api/contract.ts';
import type { ApiClient } from '../api/client.ts';

export type BackendStatus =
  | { state: 'connecting' }
  | { state: 'connected'; info: MethodResult<'app.info'>; roundTripMs: number }
  | { state: 'failed'; message: string };

/**
 * Asks the backend who it is and sends a nonce through app.echo: the status bar shows the
 * outcome, so a broken transport is visible at a glance.
 */
export class BackendConnection {
  status = $state<BackendStatus>({ state: 'connecting' });
  /** The backend's latest notice (e.g. "your progress database was repaired"), until the next one. */
  notice = $state<string>();

  constructor(private readonly client: ApiClient) {}

  async check(): Promise<void> {
    try {
      const started = performance.now();
      const info = await this.client.call('app.info', {});
      const nonce = `ping-${Math.random().toString(36).slice(2)}`;
      const echoed = await this.client.call('app.echo', { text: nonce });
      if (echoed.text !== nonce) throw new Error(`app.echo returned '${echoed.text}' for '${nonce}'`);
      this.status = { state: 'connected', info, roundTripMs: Math.round(performance.now() - started) };
    } catch (error) {
      this.status = { state: 'failed', message: error instanceof Error ? error.message : String(error) };
    }
  }

  listen(): () => void {
    return this.client.on('app.notice', ({ level, message }) => {
      this.notice = level === 'info' ? message : `${level}: ${message}`;
    });
  }
}

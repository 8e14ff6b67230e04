import type { SwitchyardBridge, TransportKind } from '../../../../backend/api/contract.ts';

export interface RawEvent {
  name: string;
  payload: unknown;
}

/** Carries a request to the backend and brings back its raw response envelope. */
export interface Transport {
  readonly kind: TransportKind;
  invoke(method: string, args: unknown): Promise<unknown>;
  onEvent(listener: (event: RawEvent) => void): () => void;
}

declare global {
  interface Window {
    /** Present only inside the Electron window, put there by the preload bridge. */
    switchyard?: SwitchyardBridge;
  }
}

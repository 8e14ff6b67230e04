/**
 * What one client may cost the browser-mode server. A learner's browser stays far inside every
 * bound; a stuck, slow or hostile client reaches one and is answered (408, 413, 431) or dropped
 * without touching the others.
 */
export interface ServerLimits {
  /** Request line plus headers (an overflow is answered 431). */
  readonly maxHeaderBytes: number;
  /** An API request body (an overflow is answered 413). */
  readonly maxRequestBytes: number;
  /** From connecting to the last header byte: a client trickling its headers is answered 408. */
  readonly headersTimeoutMs: number;
  /** From connecting to the last body byte. */
  readonly requestTimeoutMs: number;
  /**
   * A connection that neither sends nor reads for this long is closed (a half-open socket that a
   * response is stuck on). Longer than the request timeout, which answers 408 first.
   */
  readonly idleTimeoutMs: number;
  /** Connections beyond this are closed on arrival; the open ones keep being served. */
  readonly maxConnections: number;
  /** Event frames waiting for a socket that does not read: past this, that socket is dropped. */
  readonly maxSocketBacklogBytes: number;
  /** How often an event socket must answer a ping to stay open. */
  readonly heartbeatMs: number;
}

export const DEFAULT_LIMITS: ServerLimits = {
  maxHeaderBytes: 16 * 1024,
  maxRequestBytes: 4 * 1024 * 1024,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 60_000,
  idleTimeoutMs: 120_000,
  maxConnections: 256,
  maxSocketBacklogBytes: 1024 * 1024,
  heartbeatMs: 30_000,
};

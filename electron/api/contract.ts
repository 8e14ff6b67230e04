/**
 * The one contract between the renderer and the backend. Every method the renderer may call is an
 * entry in `methods`, with a schema for its arguments and one for its result; every event the
 * backend may push is an entry in `events`. Both transports (Electron IPC, browser-mode HTTP +
 * WebSocket) carry exactly these shapes. This module is pure: the renderer imports it too.
 */
import { z } from 'zod';

export const TRANSPORTS = ['electron', 'browser'] as const;
export type TransportKind = (typeof TRANSPORTS)[number];

export interface MethodSpec<A extends z.ZodType = z.ZodType, R extends z.ZodType = z.ZodType> {
  summary: string;
  args: A;
  result: R;
}

function method<A extends z.ZodType, R extends z.ZodType>(summary: string, args: A, result: R): MethodSpec<A, R> {
  return { summary, args, result };
}

export const ECHO_MAX_LENGTH = 65_536;

/** Results must be plain JSON (no bigint, Date, Map): both transports serialize them. */
export const methods = {
  'app.info': method(
    'Versions and the environment the backend runs in.',
    z.strictObject({}),
    z.strictObject({
      productVersion: z.string(),
      engineVersion: z.string(),
      transport: z.enum(TRANSPORTS),
      platform: z.string(),
    }),
  ),
  'app.echo': method(
    'Returns its text unchanged: proves a full round trip through the transport.',
    z.strictObject({ text: z.string().max(ECHO_MAX_LENGTH) }),
    z.strictObject({ text: z.string() }),
  ),
} as const;

export const events = {
  'app.notice': z.strictObject({
    level: z.enum(['info', 'warning', 'error']),
    message: z.string(),
  }),
} as const;

export type MethodName = keyof typeof methods;
/** What the caller passes (before defaults are applied). */
export type MethodArgs<M extends MethodName> = z.input<(typeof methods)[M]['args']>;
/** What a handler receives (after validation). */
export type ParsedArgs<M extends MethodName> = z.output<(typeof methods)[M]['args']>;
export type MethodResult<M extends MethodName> = z.output<(typeof methods)[M]['result']>;

export type EventName = keyof typeof events;
export type EventPayload<E extends EventName> = z.output<(typeof events)[E]>;
export interface ApiEvent<E extends EventName = EventName> {
  name: E;
  payload: EventPayload<E>;
}

export const API_ERROR_CODES = [
  'bad-request', // the envelope itself was malformed
  'unknown-method',
  'invalid-args',
  'failed', // the handler refused the request for a reason the user can act on
  'invalid-result', // the backend produced something the contract does not allow: a backend bug
  'internal', // an unexpected exception in the backend
  'forbidden', // the caller is not allowed to call at all
] as const;
export type ApiErrorCode = (typeof API_ERROR_CODES)[number];

export interface ApiError {
  code: ApiErrorCode;
  message: string;
}

export type ApiResponse<T = unknown> = { ok: true; result: T } | { ok: false; error: ApiError };

export const apiResponseSchema = z.discriminatedUnion('ok', [
  z.strictObject({ ok: z.literal(true), result: z.unknown() }),
  z.strictObject({ ok: z.literal(false), error: z.strictObject({ code: z.enum(API_ERROR_CODES), message: z.string() }) }),
]);

export const apiRequestSchema = z.strictObject({ method: z.string(), args: z.unknown() });

export const apiEventSchema = z.strictObject({ name: z.string(), payload: z.unknown() });

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.hasOwn(methods, name);
}

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.hasOwn(events, name);
}

/** Names every failing field by its path, e.g. `args.text: Invalid input: expected string, received number`. */
export function describeIssues(error: z.ZodError, root: string): string {
  return error.issues
    .map((issue) => {
      const path = [root, ...issue.path.map((key) => (typeof key === 'number' ? `[${key}]` : String(key)))].join('.').replace(/\.\[/g, '[');
      return `${path}: ${issue.message}`;
    })
    .join('; ');
}

/** Thrown by the renderer's client when the backend answers with an error. */
export class ApiCallError extends Error {
  readonly code: ApiErrorCode;
  readonly method: string;

  constructor(method: string, error: ApiError) {
    super(`${method}: ${error.message}`);
    this.name = 'ApiCallError';
    this.code = error.code;
    this.method = method;
  }
}

/** What the Electron preload exposes as `window.switchyard`: the renderer's only door to the backend. */
export interface SwitchyardBridge {
  readonly transport: 'electron';
  invoke(method: string, args: unknown): Promise<unknown>;
  /** Returns a function that stops the subscription. */
  onEvent(listener: (event: { name: string; payload: unknown }) => void): () => void;
}

/** Browser mode: where the HTTP API and the event socket live on the server's origin. */
export const HTTP_API_PATH = '/api/invoke';
export const HTTP_EVENTS_PATH = '/api/events';

import {
  ApiCallError,
  apiResponseSchema,
  describeIssues,
  events,
  isEventName,
  methods,
  type EventName,
  type EventPayload,
  type MethodArgs,
  type MethodName,
  type MethodResult,
  type TransportKind,
} from '../../../../backend/api/contract.ts';
import { httpTransport } from './http-transport.ts';
import { ipcTransport } from './ipc-transport.ts';
import type { Transport } from './transport.ts';

/** Typed calls over whichever transport this page runs on; results are checked against the contract. */
export class ApiClient {
  readonly #transport: Transport;

  constructor(transport: Transport) {
    this.#transport = transport;
  }

  get transport(): TransportKind {
    return this.#transport.kind;
  }

  async call<M extends MethodName>(method: M, args: MethodArgs<M>): Promise<MethodResult<M>> {
    let raw: unknown;
    try {
      raw = await this.#transport.invoke(method, args);
    } catch (error) {
      throw new ApiCallError(method, { code: 'internal', message: `the backend could not be reached: ${error instanceof Error ? error.message : String(error)}` });
    }
    const envelope = apiResponseSchema.safeParse(raw);
    if (!envelope.success) throw new ApiCallError(method, { code: 'bad-request', message: `malformed response: ${describeIssues(envelope.error, 'response')}` });
    if (!envelope.data.ok) throw new ApiCallError(method, envelope.data.error);
    const result = methods[method].result.safeParse(envelope.data.result);
    if (!result.success) throw new ApiCallError(method, { code: 'invalid-result', message: describeIssues(result.error, 'result') });
    return result.data as MethodResult<M>;
  }

  on<E extends EventName>(name: E, listener: (payload: EventPayload<E>) => void): () => void {
    return this.#transport.onEvent((event) => {
      if (event.name !== name || !isEventName(event.name)) return;
      const payload = events[name].safeParse(event.payload);
      if (payload.success) listener(payload.data as EventPayload<E>);
    });
  }
}

function detectTransport(): Transport {
  return window.switchyard ? ipcTransport(window.switchyard) : httpTransport();
}

let shared: ApiClient | undefined;

/** The page's one client. */
export function api(): ApiClient {
  shared ??= new ApiClient(detectTransport());
  return shared;
}

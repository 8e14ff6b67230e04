import {
  apiRequestSchema,
  describeIssues,
  isMethodName,
  methods,
  type ApiErrorCode,
  type ApiResponse,
  type MethodName,
  type MethodResult,
  type ParsedArgs,
  type TransportKind,
} from './contract.ts';

/** Who is calling: handlers may behave differently per transport (e.g. report it in app.info). */
export interface CallContext {
  transport: TransportKind;
}

export type Handler<M extends MethodName> = (args: ParsedArgs<M>, context: CallContext) => MethodResult<M> | Promise<MethodResult<M>>;

/** One handler per contract method: adding a method to the contract without a handler fails the typecheck. */
export type Handlers = { [M in MethodName]: Handler<M> };

/** A refusal the user can act on ("no such exercise"): its message reaches the renderer as is. */
export class ApiFailure extends Error {
  readonly code: ApiErrorCode;

  constructor(message: string, code: ApiErrorCode = 'failed') {
    super(message);
    this.name = 'ApiFailure';
    this.code = code;
  }
}

export type Dispatcher = (method: unknown, args: unknown, context: CallContext) => Promise<ApiResponse>;

export interface DispatcherOptions {
  /** Called with unexpected exceptions (backend bugs) so they are logged where a developer sees them. */
  onInternalError?: (method: string, error: unknown) => void;
}

function failure(code: ApiErrorCode, message: string): ApiResponse {
  return { ok: false, error: { code, message } };
}

/**
 * Validates the arguments against the contract, runs the handler, validates its result, and turns
 * every outcome into a plain JSON response. It never throws.
 */
export function createDispatcher(handlers: Handlers, options: DispatcherOptions = {}): Dispatcher {
  return async (method, args, context) => {
    if (!isMethodName(method)) {
      return typeof method === 'string'
        ? failure('unknown-method', `unknown method '${method.slice(0, 100)}'`)
        : failure('bad-request', 'method: expected a method name (string)');
    }
    const spec = methods[method];
    const parsedArgs = spec.args.safeParse(args);
    if (!parsedArgs.success) return failure('invalid-args', `${method}: ${describeIssues(parsedArgs.error, 'args')}`);

    let value: unknown;
    try {
      const handler = handlers[method] as (a: unknown, c: CallContext) => unknown;
      value = await handler(parsedArgs.data, context);
    } catch (error) {
      if (error instanceof ApiFailure) return failure(error.code, error.message);
      options.onInternalError?.(method, error);
      return failure('internal', `${method}: internal error: ${error instanceof Error ? error.message : String(error)}`);
    }

    const parsedResult = spec.result.safeParse(value);
    if (!parsedResult.success) {
      options.onInternalError?.(method, parsedResult.error);
      return failure('invalid-result', `${method}: the backend produced a result the contract does not allow: ${describeIssues(parsedResult.error, 'result')}`);
    }
    try {
      return { ok: true, result: JSON.parse(JSON.stringify(parsedResult.data)) as unknown };
    } catch (error) {
      options.onInternalError?.(method, error);
      return failure('invalid-result', `${method}: the result is not plain JSON: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
}

/** Parses a browser-mode request body `{ method, args }` and dispatches it. */
export async function dispatchRequestBody(dispatch: Dispatcher, body: unknown, context: CallContext): Promise<ApiResponse> {
  const request = apiRequestSchema.safeParse(body);
  if (!request.success) return failure('bad-request', `request: ${describeIssues(request.error, 'body')}`);
  return dispatch(request.data.method, request.data.args, context);
}

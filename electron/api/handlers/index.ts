import { createDispatcher, type Dispatcher, type Handlers } from '../dispatch.ts';
import { appHandlers, type AppEnvironment } from './app.ts';

export type BackendEnvironment = AppEnvironment;

/** Every handler group, merged. A new group of methods adds one spread here. */
export function createHandlers(environment: BackendEnvironment): Handlers {
  return {
    ...appHandlers(environment),
  };
}

export function createBackendDispatcher(environment: BackendEnvironment): Dispatcher {
  return createDispatcher(createHandlers(environment), {
    onInternalError: (method, error) => {
      process.stderr.write(`switchyard: ${method} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    },
  });
}

import { createDispatcher, type Dispatcher, type Handlers } from '../dispatch.ts';
import { appHandlers, type AppEnvironment } from './app.ts';
import { exerciseHandlers } from './exercises.ts';
import { LabState, type LabStateOptions } from './lab-state.ts';
import { packHandlers } from './packs.ts';
import { settingsHandlers } from './settings.ts';
import { transferHandlers } from './transfer.ts';

export interface BackendEnvironment extends AppEnvironment, LabStateOptions {}

/** Every handler group, merged. A new group of methods adds one spread here. */
export function createHandlers(environment: BackendEnvironment, lab = new LabState(environment)): Handlers {
  return {
    ...appHandlers(environment),
    ...exerciseHandlers(lab),
    ...settingsHandlers(lab),
    ...transferHandlers(lab),
    ...packHandlers(lab),
  };
}

export function createBackendDispatcher(environment: BackendEnvironment): Dispatcher {
  return createDispatcher(createHandlers(environment), {
    onInternalError: (method, error) => {
      process.stderr.write(`switchyard: ${method} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    },
  });
}

import type { Handlers } from '../dispatch.ts';
import { engineVersion, productVersion } from '../../version.ts';

export interface AppEnvironment {
  platform: string;
}

export function appHandlers(environment: AppEnvironment): Pick<Handlers, 'app.info' | 'app.echo'> {
  return {
    'app.info': (_args, context) => ({ productVersion, engineVersion, transport: context.transport, platform: environment.platform }),
    'app.echo': ({ text }) => ({ text }),
  };
}

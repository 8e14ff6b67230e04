import { methods, type MethodResult } from '../contract.ts';
import type { Handlers } from '../dispatch.ts';
import type { LabState } from './lab-state.ts';

type Settings = MethodResult<'settings.get'>;

export const DEFAULT_SETTINGS: Settings = { syntax: 'att', theme: 'dark', fontSize: 14, checks: {} };

/** Stored settings from an older or hand-edited profile fall back to the defaults field by field. */
function readSettings(stored: Record<string, unknown>): Settings {
  const schema = methods['settings.get'].result;
  const merged: Record<string, unknown> = { ...DEFAULT_SETTINGS };
  for (const key of Object.keys(DEFAULT_SETTINGS)) {
    const candidate = { ...DEFAULT_SETTINGS, [key]: stored[key] };
    if (schema.safeParse(candidate).success) merged[key] = stored[key];
  }
  return schema.parse(merged);
}

export function settingsHandlers(lab: LabState): Pick<Handlers, 'settings.get' | 'settings.set'> {
  return {
    'settings.get': () => readSettings(lab.profile.settings),
    'settings.set': ({ patch }) => {
      const next = { ...readSettings(lab.profile.settings), ...patch };
      lab.refreshProfile(lab.store.updateProfile(lab.profile.id, { settings: { ...lab.profile.settings, ...next } }));
      return next;
    },
  };
}

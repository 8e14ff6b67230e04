import { describeIssues, events, type ApiEvent, type EventName, type EventPayload } from './contract.ts';

export type EventListener = (event: ApiEvent) => void;

/** Backend events fan out to every transport that subscribed (the window, WebSocket clients). */
export interface EventHub {
  emit<E extends EventName>(name: E, payload: EventPayload<E>): void;
  subscribe(listener: EventListener): () => void;
}

export function createEventHub(): EventHub {
  const listeners = new Set<EventListener>();
  return {
    emit(name, payload) {
      const parsed = events[name].safeParse(payload);
      if (!parsed.success) throw new Error(`event ${name}: ${describeIssues(parsed.error, 'payload')}`);
      const event = { name, payload: parsed.data } as ApiEvent;
      for (const listener of listeners) listener(event);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

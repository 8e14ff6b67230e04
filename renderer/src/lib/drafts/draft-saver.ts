/** Where drafts wait when the backend cannot be reached (the page's localStorage in the lab). */
export interface DraftFallback {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export type SaveDraft = (exerciseId: string, source: string) => Promise<unknown>;

export type DraftState = 'saved' | 'pending' | 'saving' | 'offline';

interface PendingDraft {
  source: string;
  savedAt: number;
}

const KEY_PREFIX = 'switchyard.draft.';

/**
 * Saves what the learner types, debounced, through the API into the progress database. A save
 * that fails leaves the text in the local fallback and is retried until the backend takes it, so
 * code is never lost; a later load prefers that unsent text over the backend's older copy.
 */
export class DraftSaver {
  #timer: ReturnType<typeof setTimeout> | undefined;
  #retry: ReturnType<typeof setTimeout> | undefined;
  #latest = new Map<string, string>();
  #inFlight: Promise<void> = Promise.resolve();

  constructor(
    private readonly save: SaveDraft,
    private readonly fallback: DraftFallback,
    private readonly onstate: (state: DraftState) => void = () => {},
    private readonly delayMs = 400,
    private readonly retryMs = 3000,
  ) {}

  /** Called on every edit: the text reaches the fallback at once and the backend after a pause in typing. */
  edit(exerciseId: string, source: string): void {
    this.#latest.set(exerciseId, source);
    this.fallback.setItem(KEY_PREFIX + exerciseId, JSON.stringify({ source, savedAt: Date.now() } satisfies PendingDraft));
    this.onstate('pending');
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.flush(), this.delayMs);
  }

  /** Sends every unsent draft now; resolves when the backend has answered. */
  flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#inFlight = this.#inFlight.then(() => this.#sendAll());
    return this.#inFlight;
  }

  async #sendAll(): Promise<void> {
    const pending = [...this.#latest];
    if (pending.length === 0) return;
    this.onstate('saving');
    let failed = false;
    for (const [exerciseId, source] of pending) {
      try {
        await this.save(exerciseId, source);
        if (this.#latest.get(exerciseId) === source) {
          this.#latest.delete(exerciseId);
          this.fallback.removeItem(KEY_PREFIX + exerciseId);
        }
      } catch {
        failed = true;
      }
    }
    if (failed) {
      this.onstate('offline');
      clearTimeout(this.#retry);
      this.#retry = setTimeout(() => void this.flush(), this.retryMs);
    } else this.onstate(this.#latest.size ? 'pending' : 'saved');
  }

  /** A draft typed but never acknowledged by the backend (e.g. the lab closed while it was unreachable). */
  unsent(exerciseId: string): string | undefined {
    const raw = this.fallback.getItem(KEY_PREFIX + exerciseId);
    if (raw === null) return undefined;
    try {
      const parsed = JSON.parse(raw) as Partial<PendingDraft>;
      return typeof parsed.source === 'string' ? parsed.source : undefined;
    } catch {
      return undefined;
    }
  }

  /** Picks what the editor should show: unsent local text first, then the backend's draft, then the starter. */
  choose(exerciseId: string, backendDraft: string | null, starter: string): string {
    const local = this.unsent(exerciseId);
    if (local !== undefined) {
      this.#latest.set(exerciseId, local);
      void this.flush();
      return local;
    }
    return backendDraft ?? starter;
  }

  dispose(): void {
    clearTimeout(this.#timer);
    clearTimeout(this.#retry);
  }
}

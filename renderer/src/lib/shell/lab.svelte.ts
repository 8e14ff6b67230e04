import type { MethodResult } from '../../../../backend/api/contract.ts';
import type { ApiClient } from '../api/client.ts';
import { DraftSaver, type DraftState } from '../drafts/draft-saver.ts';
import type { ExerciseDetail, ExerciseListItem } from '../exercises/types.ts';
import type { CheckOutcome } from '../results/field-diff.ts';

export type Settings = MethodResult<'settings.get'>;

const LOCAL_SETTINGS_KEY = 'switchyard.settings';
export const DEFAULT_SETTINGS: Settings = { syntax: 'att', theme: 'dark', fontSize: 14, checks: {} };

/** The learner's side of the lab: exercises and progress, the open exercise, its draft, grading. */
export class Lab {
  exercises = $state<ExerciseListItem[]>([]);
  current = $state<ExerciseDetail>();
  source = $state('');
  outcome = $state<CheckOutcome>();
  checking = $state(false);
  /** How many checks have come back (the benchmark and the tests wait on it). */
  checks = $state(0);
  error = $state<string>();
  draftState = $state<DraftState>('saved');
  settings = $state<Settings>(DEFAULT_SETTINGS);
  readonly drafts: DraftSaver;

  constructor(private readonly client: ApiClient, storage: Storage) {
    this.drafts = new DraftSaver((exerciseId, source) => client.call('drafts.save', { exerciseId, source }), storage, (state) => (this.draftState = state));
    try {
      const local = JSON.parse(storage.getItem(LOCAL_SETTINGS_KEY) ?? 'null') as Settings | null;
      if (local) this.settings = { ...DEFAULT_SETTINGS, ...local };
    } catch {
      // A damaged local copy: the backend's settings arrive in a moment.
    }
    this.storage = storage;
  }

  private readonly storage: Storage;

  async load(): Promise<void> {
    try {
      const [list, settings] = await Promise.all([this.client.call('exercises.list', {}), this.client.call('settings.get', {})]);
      this.exercises = list.exercises;
      this.settings = settings;
      this.storage.setItem(LOCAL_SETTINGS_KEY, JSON.stringify(settings));
    } catch (error) {
      this.error = message(error);
    }
  }

  async open(id: string): Promise<void> {
    await this.drafts.flush();
    try {
      const detail = await this.client.call('exercises.get', { id });
      this.outcome = undefined;
      this.source = this.drafts.choose(id, detail.draft?.source ?? null, detail.starter);
      this.current = detail;
      this.error = undefined;
    } catch (error) {
      this.error = message(error);
    }
  }

  close(): void {
    void this.drafts.flush();
    this.current = undefined;
    this.outcome = undefined;
  }

  edited(source: string): void {
    this.source = source;
    if (this.current) this.drafts.edit(this.current.id, source);
  }

  /** The backend grades the source and records the attempt; the page only shows what it says. */
  async check(): Promise<void> {
    const exercise = this.current;
    if (!exercise || this.checking) return;
    this.checking = true;
    try {
      const outcome = await this.client.call('exercises.check', { exerciseId: exercise.id, source: this.source });
      this.outcome = outcome;
      this.checks++;
      this.exercises = this.exercises.map((e) => (e.id === exercise.id ? { ...e, progress: outcome.progress } : e));
      this.error = undefined;
    } catch (error) {
      this.error = message(error);
    } finally {
      this.checking = false;
    }
  }

  async updateSettings(patch: Partial<Settings>): Promise<void> {
    this.settings = { ...this.settings, ...patch };
    this.storage.setItem(LOCAL_SETTINGS_KEY, JSON.stringify(this.settings));
    try {
      this.settings = await this.client.call('settings.set', { patch });
    } catch (error) {
      this.error = message(error);
    }
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

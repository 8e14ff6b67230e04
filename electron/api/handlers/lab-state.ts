/** What the learner-facing handlers share: the bundled pack (read once) and the progress store (opened on first use). */
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Exercise, Pack } from '../../../exercises/engine/index.ts';
import { bundledPackDir, readPack } from '../../grading/pack-dir.ts';
import { sqliteNativeBinding } from '../../native/sqlite-binding.ts';
import { defaultDatabasePath, ProgressStore, type Profile } from '../../store/index.ts';
import { ApiFailure } from '../dispatch.ts';

export interface LabStateOptions {
  /**
   * The progress database. The default is the CLI's (SWITCHYARD_DATA_DIR overrides it), also inside
   * Electron, so the desktop app and `switchyard serve` share one learner's progress.
   */
  databasePath?: string;
  /** The exercise pack; the bundled one by default (Electron passes it, since its bundle has no import.meta). */
  packDir?: string;
}

const LEARNER_NAME = 'Learner';

export class LabState {
  #pack: Pack | undefined;
  #store: ProgressStore | undefined;
  #profile: Profile | undefined;
  readonly #versions = new WeakMap<Exercise, string>();

  constructor(private readonly options: LabStateOptions = {}) {}

  get pack(): Pack {
    this.#pack ??= readPack(this.options.packDir ?? bundledPackDir());
    return this.#pack;
  }

  get store(): ProgressStore {
    if (!this.#store) {
      const path = this.options.databasePath ?? defaultDatabasePath();
      mkdirSync(dirname(path), { recursive: true });
      this.#store = ProgressStore.open(path, { nativeBinding: sqliteNativeBinding() });
    }
    return this.#store;
  }

  /** The lab has one learner per data directory: the first profile, created on first use. */
  get profile(): Profile {
    this.#profile ??= this.store.listProfiles()[0] ?? this.store.createProfile({ name: LEARNER_NAME });
    return this.#profile;
  }

  refreshProfile(profile: Profile): void {
    this.#profile = profile;
  }

  exercise(id: string): Exercise {
    const found = this.pack.exercises.find((e) => e.id === id);
    if (!found) throw new ApiFailure(`no exercise '${id}' in the bundled pack`);
    return found;
  }

  trackTitle(exercise: Exercise): string {
    return this.pack.spec.tracks.find((t) => t.id === exercise.track)?.title ?? exercise.track ?? '';
  }

  /** The content hash of everything that decides how an exercise is graded. */
  versionHash(exercise: Exercise): string {
    let hash = this.#versions.get(exercise);
    if (!hash) {
      const { spec, readme, starter, harness, solution } = exercise;
      const text = JSON.stringify({ spec, readme, starter, harness, solution }, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
      hash = createHash('sha256').update(text).digest('hex');
      this.#versions.set(exercise, hash);
    }
    return hash;
  }

  close(): void {
    this.#store?.close();
    this.#store = undefined;
  }
}

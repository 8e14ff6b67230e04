/** What the learner-facing handlers share: the bundled pack (read once) and the progress store (opened on first use). */
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { loadPack, type Exercise, type Pack } from '../../../exercises/engine/index.ts';
import { bundledPackDir, readPack } from '../../grading/pack-dir.ts';
import { sqliteNativeBinding } from '../../native/sqlite-binding.ts';
import { defaultDatabasePath, installedPack, ProgressStore, readStoredPack, type Profile } from '../../store/index.ts';
import { BUNDLED_PACK_ID } from '../contract.ts';
import { ApiFailure } from '../dispatch.ts';

export interface LabStateOptions {
  /**
   * The progress database. The default is the CLI's (SWITCHYARD_DATA_DIR overrides it), also inside
   * Electron, so the desktop app and `switchyard serve` share one learner's progress.
   */
  databasePath?: string;
  /** The exercise pack; the bundled one by default (Electron passes it, since its bundle has no import.meta). */
  packDir?: string;
  /** Desktop only: asks where to save a file and writes it; null when the learner cancels. */
  saveFile?: (suggestedName: string, text: string) => Promise<string | null>;
}

/** The profile setting that remembers which pack the lab shows. */
const ACTIVE_PACK_SETTING = 'activePack';

const LEARNER_NAME = 'Learner';

export class LabState {
  #bundled: Pack | undefined;
  readonly #installed = new Map<string, Pack>();
  #store: ProgressStore | undefined;
  #profile: Profile | undefined;
  readonly #versions = new WeakMap<Exercise, string>();

  constructor(private readonly options: LabStateOptions = {}) {}

  get bundledPack(): Pack {
    this.#bundled ??= readPack(this.options.packDir ?? bundledPackDir());
    return this.#bundled;
  }

  /** The pack the lab shows: the bundled one, or an installed pack the learner selected (while it is installed). */
  get activePackId(): string {
    const chosen = this.profile.settings[ACTIVE_PACK_SETTING];
    return typeof chosen === 'string' && chosen !== BUNDLED_PACK_ID && installedPack(this.store, chosen) !== null ? chosen : BUNDLED_PACK_ID;
  }

  selectPack(id: string): void {
    if (id !== BUNDLED_PACK_ID && installedPack(this.store, id) === null) throw new ApiFailure(`no installed pack '${id}'`);
    this.refreshProfile(this.store.updateProfile(this.profile.id, { settings: { ...this.profile.settings, [ACTIVE_PACK_SETTING]: id } }));
  }

  get pack(): Pack {
    const id = this.activePackId;
    return id === BUNDLED_PACK_ID ? this.bundledPack : this.installedPackContent(id);
  }

  /** An installed pack's exercises, read from the store once per content hash. */
  installedPackContent(id: string): Pack {
    const installed = installedPack(this.store, id);
    if (installed === null) throw new ApiFailure(`no installed pack '${id}'`);
    let pack = this.#installed.get(installed.hash);
    if (!pack) {
      const decoder = new TextDecoder();
      const texts = new Map([...readStoredPack(this.store, installed.hash)].map(([path, bytes]) => [path, decoder.decode(bytes)]));
      pack = loadPack(texts, id);
      this.#installed.set(installed.hash, pack);
    }
    return pack;
  }

  /**
   * Where the store keeps progress on an exercise of the active pack: the bundled pack's under
   * the exercise id, an installed pack's under `<pack id>/<exercise id>`, so two packs' exercises
   * of one id never share attempts or drafts.
   */
  storeKey(exerciseId: string, packId = this.activePackId): string {
    return packId === BUNDLED_PACK_ID ? exerciseId : `${packId}/${exerciseId}`;
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

  get saveFile(): LabStateOptions['saveFile'] {
    return this.options.saveFile;
  }

  refreshProfile(profile: Profile): void {
    this.#profile = profile;
  }

  exercise(id: string): Exercise {
    const found = this.pack.exercises.find((e) => e.id === id);
    if (!found) throw new ApiFailure(`no exercise '${id}' in the ${this.activePackId === BUNDLED_PACK_ID ? 'bundled pack' : `pack '${this.activePackId}'`}`);
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

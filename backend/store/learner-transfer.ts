/**
 * Moving one learner's progress between machines. A progress file from another machine carries
 * its own profile ids; merged as they are, its work would land in a profile the lab never shows.
 * Here every profile of the file is folded into the learner's profile first: every attempt is
 * kept (attempts are keyed by id), and of two drafts for one exercise the newer one wins.
 */
import { importProgress, parseProgressExport, type ProgressExport, type ProgressImportSummary } from './progress-transfer.ts';
import type { ProgressStore } from './progress-store.ts';

export interface LearnerImportPreview extends ProgressImportSummary {
  /** Exercise ids whose attempts or draft the import changes, sorted. */
  readonly exercisesChanged: readonly string[];
  readonly exportedAt: string;
}

export function foldIntoProfile(file: ProgressExport, store: ProgressStore, profileId: string): ProgressExport {
  const profile = store.requireProfile(profileId);
  const drafts = new Map<string, ProgressExport['profiles'][number]['drafts'][number]>();
  for (const d of file.profiles.flatMap((p) => p.drafts)) {
    const other = drafts.get(d.exerciseId);
    if (other === undefined || d.updatedAt > other.updatedAt) drafts.set(d.exerciseId, d);
  }
  return {
    format: file.format,
    exportedAt: file.exportedAt,
    profiles: [{
      id: profile.id, name: profile.name, studentId: profile.studentId, settings: profile.settings, createdAt: profile.createdAt,
      drafts: [...drafts.values()],
      attempts: file.profiles.flatMap((p) => p.attempts),
    }],
  };
}

class Rollback extends Error {}

/** What importing the file into the learner's profile would change, computed inside a transaction that is rolled back. */
export function previewLearnerImport(store: ProgressStore, profileId: string, input: string | Uint8Array, what?: string): LearnerImportPreview {
  const folded = foldIntoProfile(parseProgressExport(input, what), store, profileId);
  let preview: LearnerImportPreview | undefined;
  try {
    store.db.transaction(() => {
      const before = snapshot(store, profileId);
      const summary = importProgress(store, JSON.stringify(folded), what);
      const after = snapshot(store, profileId);
      const changed = [...after].filter(([id, state]) => before.get(id) !== state).map(([id]) => id).sort();
      preview = { ...summary, exercisesChanged: changed, exportedAt: folded.exportedAt };
      throw new Rollback();
    })();
  } catch (error) {
    if (!(error instanceof Rollback)) throw error;
  }
  return preview!;
}

/** Imports the file into the learner's profile; returns the same summary the preview showed. */
export function importIntoLearner(store: ProgressStore, profileId: string, input: string | Uint8Array, what?: string): LearnerImportPreview {
  const preview = previewLearnerImport(store, profileId, input, what);
  const folded = foldIntoProfile(parseProgressExport(input, what), store, profileId);
  importProgress(store, JSON.stringify(folded), what);
  return preview;
}

function snapshot(store: ProgressStore, profileId: string): Map<string, string> {
  const state = new Map<string, string>();
  for (const a of store.listAttempts(profileId)) state.set(a.exerciseId, `${state.get(a.exerciseId) ?? ''}${a.id},`);
  for (const d of store.listDrafts(profileId)) state.set(d.exerciseId, `${state.get(d.exerciseId) ?? ''}draft@${d.updatedAt}`);
  return state;
}

/** Handing work in and moving it between machines: submission bundles and progress files. */
import { ENGINE_VERSION } from '../../../exercises/engine/index.ts';
import {
  createSubmissionBundle, exportProgress, importIntoLearner, InputError, previewLearnerImport, serializeSubmissionBundle,
  type LearnerImportPreview,
} from '../../store/index.ts';
import { BUNDLED_PACK_ID, type MethodResult } from '../contract.ts';
import { ApiFailure, type Handlers } from '../dispatch.ts';
import type { LabState } from './lab-state.ts';

type ImportView = MethodResult<'progress.import'>;

function refusing<T>(body: () => T): T {
  try {
    return body();
  } catch (error) {
    if (error instanceof InputError) throw new ApiFailure(error.message);
    throw error;
  }
}

function importView(p: LearnerImportPreview): ImportView {
  return {
    exportedAt: p.exportedAt, attemptsAdded: p.attemptsAdded, attemptsAlreadyPresent: p.attemptsAlreadyPresent,
    draftsWritten: p.draftsWritten, draftsKeptNewer: p.draftsKeptNewer, exercisesChanged: [...p.exercisesChanged],
  };
}

function stamp(iso: string): string {
  return iso.slice(0, 19).replace(/[:T]/g, '-');
}

export function transferHandlers(lab: LabState): Pick<Handlers, 'submission.export' | 'progress.export' | 'progress.previewImport' | 'progress.import' | 'files.save'> {
  return {
    'submission.export': ({ exerciseIds, choose }) => {
      const pack = lab.pack;
      const ids = exerciseIds ?? pack.exercises.map((e) => e.id);
      for (const id of ids) lab.exercise(id);
      const bundle = createSubmissionBundle(lab.store, lab.profile.id, ids.map((id) => lab.storeKey(id)), { choose, engineVersion: ENGINE_VERSION });
      // The store keeps an installed pack's work under `<pack>/<id>`; the bundle names the exercise as the pack does.
      const prefix = lab.activePackId === BUNDLED_PACK_ID ? '' : `${lab.activePackId}/`;
      const exercises = bundle.exercises.map((e) => ({ ...e, id: e.id.slice(prefix.length) }));
      if (exercises.length === 0) throw new ApiFailure(ids.length === 1 ? `nothing to hand in for '${ids[0]}' yet: write a draft or check it first` : 'nothing to hand in yet: no exercise of this pack has a draft or an attempt');
      const single = exerciseIds?.length === 1 ? `-${exerciseIds[0]}` : '';
      return {
        fileName: `submission-${pack.spec.id}${single}-${stamp(bundle.createdAt)}.json`,
        text: serializeSubmissionBundle({ ...bundle, exercises }),
        exercises: exercises.map((e) => e.id),
      };
    },
    'progress.export': () => {
      const file = exportProgress(lab.store, [lab.profile.id]);
      return { fileName: `switchyard-progress-${stamp(file.exportedAt)}.json`, text: `${JSON.stringify(file, null, 2)}\n` };
    },
    'progress.previewImport': ({ text, name }) => refusing(() => importView(previewLearnerImport(lab.store, lab.profile.id, text, name))),
    'progress.import': ({ text, name }) => refusing(() => importView(importIntoLearner(lab.store, lab.profile.id, text, name))),
    'files.save': async ({ fileName, text }, context) => {
      if (context.transport !== 'electron' || !lab.saveFile) throw new ApiFailure('saving through a dialog is only available in the desktop app; the browser downloads the file instead');
      const path = await lab.saveFile(fileName, text);
      return { saved: path !== null, path };
    },
  };
}

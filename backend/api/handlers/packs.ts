/** Exercise packs beside the bundled one: installed from a file or folder, selected, removed. */
import { createPackFile, importPack, parsePackFile, InputError, listInstalledPacks, removeInstalledPack, type ProgressStore } from '../../store/index.ts';
import { BUNDLED_PACK_ID, type MethodResult } from '../contract.ts';
import { ApiFailure, type Handlers } from '../dispatch.ts';
import { packValidator } from '../pack-check.ts';
import type { LabState } from './lab-state.ts';

type PackView = MethodResult<'packs.list'>['packs'][number];

export function packViews(lab: LabState): PackView[] {
  const active = lab.activePackId;
  const bundled = lab.bundledPack;
  const installed = listInstalledPacks(lab.store).map((p): PackView => {
    let exercises = 0;
    try {
      exercises = lab.installedPackContent(p.packId).exercises.length;
    } catch {
      // A stored pack the engine no longer reads is still listed, so it can be removed.
    }
    return { id: p.packId, title: p.title, source: 'installed', exercises, hash: p.hash, installedAt: p.installedAt, active: p.packId === active };
  });
  return [
    { id: BUNDLED_PACK_ID, title: bundled.spec.title, source: 'bundled', exercises: bundled.exercises.length, hash: null, installedAt: null, active: active === BUNDLED_PACK_ID },
    ...installed,
  ];
}

/** A folder's files as the renderer sends them: paths relative to the folder, which the picker includes as the first segment. */
function folderPackFile(files: Record<string, string>): string {
  const paths = Object.keys(files);
  const first = paths[0]?.split('/')[0];
  const nested = first !== undefined && !Object.hasOwn(files, 'pack.yaml') && paths.every((p) => p.startsWith(`${first}/`));
  const entries = paths
    .filter((p) => !p.split('/').some((segment) => segment.startsWith('.')))
    .map((p) => [nested ? p.slice(first.length + 1) : p, files[p]] as const);
  return createPackFile(new Map(entries));
}

function refusingInput<T>(body: () => T): T {
  try {
    return body();
  } catch (error) {
    if (error instanceof InputError) throw new ApiFailure(error.message);
    throw error;
  }
}

function installPackText(store: ProgressStore, text: string, name: string) {
  return refusingInput(() => importPack(store, Buffer.from(text, 'utf8'), packValidator, name));
}

export function packHandlers(lab: LabState): Pick<Handlers, 'packs.list' | 'packs.install' | 'packs.remove' | 'packs.select'> {
  return {
    'packs.list': () => ({ packs: packViews(lab) }),
    'packs.install': (args) => {
      const text = 'packFile' in args ? args.packFile : folderPackFile(args.files);
      const before = new Set(listInstalledPacks(lab.store).map((p) => p.packId));
      if (refusingInput(() => parsePackFile(Buffer.from(text, 'utf8'), args.name)).id === BUNDLED_PACK_ID) {
        throw new ApiFailure(`${args.name}: pack.yaml: the id "${BUNDLED_PACK_ID}" is reserved for the pack that ships with Switchyard; give the pack another id`);
      }
      const result = installPackText(lab.store, text, args.name);
      const pack = packViews(lab).find((p) => p.id === result.packId)!;
      return { pack, exercises: result.exercises.map((e) => e.id), replaced: before.has(result.packId) };
    },
    'packs.remove': ({ id }) => {
      if (id === BUNDLED_PACK_ID) throw new ApiFailure('the bundled pack ships with Switchyard and cannot be removed');
      if (!removeInstalledPack(lab.store, id)) throw new ApiFailure(`no installed pack '${id}'`);
      return { packs: packViews(lab) };
    },
    'packs.select': ({ id }) => {
      lab.selectPack(id);
      return { packs: packViews(lab) };
    },
  };
}

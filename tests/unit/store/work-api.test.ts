/** The lab API's store features through the real dispatcher (argument validation included) over a real progress database. */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TransportKind } from '../../../backend/api/contract.ts';
import { createDispatcher } from '../../../backend/api/dispatch.ts';
import { createHandlers } from '../../../backend/api/handlers/index.ts';
import { LabState } from '../../../backend/api/handlers/lab-state.ts';
import { bundledPackDir } from '../../../backend/grading/pack-dir.ts';
import { packFileFromFolder, parseSubmissionBundle } from '../../../backend/store/index.ts';

const solution = readFileSync(join(bundledPackDir(), 'save-context', 'solution.s'), 'utf8');

function coursePack(id: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-course-'));
  cpSync(join(bundledPackDir(), 'save-context'), join(dir, 'save-context'), { recursive: true });
  writeFileSync(join(dir, 'pack.yaml'), `id: ${id}\ntitle: Course ${id}\ntracks:\n  - id: one\n    title: One\n    exercises: [save-context]\n`);
  return dir;
}

describe('Your work, through the API', () => {
  let dir: string;
  let lab: LabState;
  const saved: { name: string; text: string }[] = [];
  let call: (method: string, args: unknown, transport?: TransportKind) => Promise<{ ok: boolean; result?: unknown; error?: { code: string; message: string } }>;
  const ok = async <T>(method: string, args: unknown, transport?: TransportKind): Promise<T> => {
    const r = await call(method, args, transport);
    if (!r.ok) throw new Error(`${r.error!.code}: ${r.error!.message}`);
    return r.result as T;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'switchyard-work-'));
    lab = new LabState({ databasePath: join(dir, 'progress.sqlite3'), saveFile: async (name, text) => (saved.push({ name, text }), join(dir, name)) });
    const dispatch = createDispatcher(createHandlers({ platform: 'linux' }, lab));
    call = async (method, args, transport = 'browser') => dispatch(method, args, { transport }) as never;
  });
  afterEach(() => {
    lab.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    ['packs.install', { name: 'x' }],
    ['packs.install', { name: 'x', packFile: 5 }],
    ['packs.select', { id: '../etc' }],
    ['submission.export', { exerciseIds: ['Not An Id'] }],
    ['progress.import', { text: '{}' }],
    ['files.save', { fileName: 'a.json' }],
  ])('%s refuses bad arguments %j before any handler runs', async (method, args) => {
    const r = await call(method, args);
    expect(r.ok).toBe(false);
    expect(r.error!.code).toBe('invalid-args');
  });

  it('saves through the desktop dialog only over Electron', async () => {
    expect((await call('files.save', { fileName: 'a.json', text: '{}' })).error?.message).toMatch(/only available in the desktop app/);
    expect(await ok('files.save', { fileName: 'a.json', text: '{}' }, 'electron')).toEqual({ saved: true, path: join(dir, 'a.json') });
    expect(saved).toEqual([{ name: 'a.json', text: '{}' }]);
  });

  it('keeps progress per pack: an installed pack\'s save-context is not the bundled one, and removing it keeps its work', async () => {
    expect((await call('submission.export', {})).error?.message).toMatch(/nothing to hand in yet/);
    await ok('exercises.check', { exerciseId: 'save-context', source: `${solution}\n# bundled\n` });

    const course = coursePack('course-a');
    // A folder as the browser's picker sends it: every path under the folder's own name.
    const files = Object.fromEntries(['pack.yaml', 'save-context/exercise.yaml', 'save-context/README.md', 'save-context/starter.s', 'save-context/harness.s', 'save-context/solution.s']
      .map((p) => [`course-a/${p}`, readFileSync(join(course, p), 'utf8')]));
    const installed = await ok<{ pack: { id: string; exercises: number }; exercises: string[]; replaced: boolean }>('packs.install', { name: 'course-a', files });
    expect(installed).toMatchObject({ pack: { id: 'course-a', exercises: 1 }, exercises: ['save-context'], replaced: false });
    await ok('packs.select', { id: 'course-a' });

    const list = await ok<{ exercises: { id: string; progress: { status: string } }[] }>('exercises.list', {});
    expect(list.exercises.map((e) => [e.id, e.progress.status])).toEqual([['save-context', 'not-started']]);
    await ok('exercises.check', { exerciseId: 'save-context', source: `${solution}\n# course\n` });
    const bundle = parseSubmissionBundle((await ok<{ text: string }>('submission.export', {})).text);
    expect(bundle.exercises.map((e) => e.id)).toEqual(['save-context']);
    expect(bundle.exercises[0].source).toContain('# course');

    const packs = await ok<{ packs: { id: string; active: boolean }[] }>('packs.remove', { id: 'course-a' });
    expect(packs.packs.map((p) => [p.id, p.active])).toEqual([['bundled', true]]);
    expect(parseSubmissionBundle((await ok<{ text: string }>('submission.export', {})).text).exercises[0].source).toContain('# bundled');

    await ok('packs.install', { name: 'a.json', packFile: packFileFromFolder(course) });
    await ok('packs.select', { id: 'course-a' });
    const back = await ok<{ exercises: { progress: { status: string } }[] }>('exercises.list', {});
    expect(back.exercises[0].progress.status).toBe('passed');
  });

  it('refuses the reserved id, removing the bundled pack and a damaged pack file, naming the problem', async () => {
    expect((await call('packs.install', { name: 'b.json', packFile: packFileFromFolder(coursePack('bundled')) })).error?.message).toMatch(/the id "bundled" is reserved/);
    expect((await call('packs.remove', { id: 'bundled' })).error?.message).toMatch(/cannot be removed/);
    expect((await call('packs.install', { name: 'c.json', packFile: '{"format":"switchyard-pack/1","files":[]}' })).error?.message).toMatch(/c\.json: it has no pack\.yaml/);
    expect((await ok<{ packs: unknown[] }>('packs.list', {})).packs).toHaveLength(1);
  });
});

/** progress, pack and bundle: the lab's store features on the command line, each against a fresh data directory. */
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cli, packFile, PACK, scratch } from './helpers.ts';

let previous: string | undefined;
beforeEach(() => {
  previous = process.env.SWITCHYARD_DATA_DIR;
  process.env.SWITCHYARD_DATA_DIR = scratch('data');
});
afterEach(() => {
  if (previous === undefined) delete process.env.SWITCHYARD_DATA_DIR;
  else process.env.SWITCHYARD_DATA_DIR = previous;
});

function coursePack(id = 'os-course'): string {
  const dir = scratch('course');
  cpSync(PACK, dir, { recursive: true });
  writeFileSync(join(dir, 'pack.yaml'), readFileSync(join(dir, 'pack.yaml'), 'utf8').replace(/^id: .*$/m, `id: ${id}`));
  return dir;
}

describe('switchyard pack', () => {
  it('builds a folder into a pack file, installs it, lists it beside the bundled pack and removes it', async () => {
    const dir = coursePack();
    const file = join(scratch('built'), 'course.pack.json');
    const built = await cli('pack', 'build', dir, '--out', file, '--json');
    expect(built.code, built.stderr).toBe(0);
    expect(JSON.parse(built.stdout)).toMatchObject({ ok: true, id: 'os-course', exercises: ['save-context', 'callee-saved'] });
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ format: 'switchyard-pack/1' });

    const installed = await cli('pack', 'install', file, '--select', '--json');
    expect(installed.code, installed.stderr).toBe(0);
    expect(JSON.parse(installed.stdout)).toMatchObject({ id: 'os-course', exercises: [{ id: 'save-context', new: true }, { id: 'callee-saved', new: true }] });

    const listed = JSON.parse((await cli('pack', 'list', '--json')).stdout) as { id: string; source: string; active: boolean; exercises: number }[];
    expect(listed.map((p) => [p.id, p.source, p.active, p.exercises])).toEqual([['bundled', 'bundled', false, expect.any(Number)], ['os-course', 'installed', true, 2]]);

    expect((await cli('pack', 'remove', 'os-course')).code).toBe(0);
    const after = JSON.parse((await cli('pack', 'list', '--json')).stdout) as { id: string; active: boolean }[];
    expect(after.map((p) => [p.id, p.active])).toEqual([['bundled', true]]);
    expect((await cli('pack', 'remove', 'os-course')).code).toBe(2);
  });

  it('installs straight from a folder', async () => {
    const r = await cli('pack', 'install', coursePack('folder-pack'));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^installed folder-pack \(Format examples\): 2 exercises/);
  });

  it('refuses an invalid pack with every problem by file (exit 1) and an unreadable one (exit 2)', async () => {
    const dir = coursePack('broken');
    writeFileSync(join(dir, 'save-context/solution.s'), `${packFile('save-context', 'solution.s')}\n  movq %rax,, (%rdi)\n`);
    const r = await cli('pack', 'install', dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/save-context\/solution\.s:\d+: the reference solution does not pass/);
    expect(JSON.parse((await cli('pack', 'list', '--json')).stdout)).toHaveLength(1);

    const built = await cli('pack', 'build', dir, '--out', join(scratch('x'), 'p.json'));
    expect(built.code).toBe(1);

    const garbage = join(scratch('junk'), 'junk.json');
    writeFileSync(garbage, '{"format":"switchyard-pack/1","files":[{"path":"../x","text":""}]}');
    const bad = await cli('pack', 'install', garbage);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/files\[0\]\.path "\.\.\/x" contains "\.\."/);
    expect((await cli('pack', 'frobnicate')).code).toBe(2);
  });
});

describe('switchyard bundle and progress', () => {
  it('bundles .s files into a submission bundle that switchyard grade accepts as it is', async () => {
    const work = scratch('bundle');
    const source = join(work, 'save-context.s');
    writeFileSync(source, packFile('save-context', 'solution.s'));
    mkdirSync(join(work, 'class'));
    const r = await cli('bundle', source, '--pack', PACK, '--name', 'Ada Lovelace', '--student-id', 'ada@uni', '--out', join(work, 'class/ada.json'), '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ exercises: ['save-context'], student: { name: 'Ada Lovelace', id: 'ada@uni' } });
    const graded = await cli('grade', '--pack', PACK, '--submissions', join(work, 'class'), '--format', 'json', '--out', join(work, 'grades.json'), '--exercises', 'save-context', '--jobs', '1');
    expect(graded.code, graded.stderr).toBe(0);
    const grades = JSON.parse(readFileSync(join(work, 'grades.json'), 'utf8')) as { submissions: { student: string; score: number; maxScore: number }[] };
    expect(grades.submissions[0].student).toBe('Ada Lovelace (ada@uni)');
    expect(grades.submissions[0].score).toBe(grades.submissions[0].maxScore);
  });

  it.each([
    [['nope.s'], /no exercise 'nope' in the pack/],
    [['save-context.txt'], /expected an <exercise-id>\.s file/],
  ])('refuses %j with a usage error', async (files, message) => {
    const work = scratch('bad-bundle');
    for (const f of files) writeFileSync(join(work, f), 'ret\n');
    const r = await cli('bundle', ...files.map((f) => join(work, f)), '--pack', PACK, '--out', join(work, 'out.json'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('exports progress and imports it on another machine, showing the change first (--dry-run)', async () => {
    const work = scratch('progress');
    const file = join(work, 'progress.json');
    writeFileSync(file, JSON.stringify({
      format: 'switchyard-progress/1', exportedAt: '2026-03-01T00:00:00.000Z',
      profiles: [{ id: 'elsewhere', name: 'Me', studentId: null, settings: {}, createdAt: '2026-01-01T00:00:00.000Z', attempts: [],
        drafts: [{ exerciseId: 'save-context', source: 'draft from elsewhere', versionHash: null, updatedAt: '2026-02-01T00:00:00.000Z' }] }],
    }));
    const dry = await cli('progress', 'import', file, '--dry-run', '--json');
    expect(dry.code, dry.stderr).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({ applied: false, draftsWritten: 1, exercisesChanged: ['save-context'] });
    const emptyExport = JSON.parse((await cli('progress', 'export')).stdout) as { profiles: { drafts: unknown[] }[] };
    expect(emptyExport.profiles[0].drafts).toEqual([]);

    const applied = await cli('progress', 'import', file);
    expect(applied.code).toBe(0);
    expect(applied.stdout).toMatch(/^add 0 attempts .*\nwrite 1 draft/);
    const out = join(work, 'back.json');
    expect((await cli('progress', 'export', '--out', out)).code).toBe(0);
    const exported = JSON.parse(readFileSync(out, 'utf8')) as { format: string; profiles: { drafts: { source: string }[] }[] };
    expect(exported.format).toBe('switchyard-progress/1');
    expect(exported.profiles[0].drafts.map((d) => d.source)).toEqual(['draft from elsewhere']);

    writeFileSync(join(work, 'foreign.json'), '{"format":"switchyard-submission/1"}');
    const foreign = await cli('progress', 'import', join(work, 'foreign.json'));
    expect(foreign.code).toBe(2);
    expect(foreign.stderr).toMatch(/format is "switchyard-submission\/1", expected "switchyard-progress\/1"/);
  });
});
